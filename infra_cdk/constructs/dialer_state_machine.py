"""The dialer state machine: exactly the document of `infra_cdk/state_machines/dialer.py`, deployed.

The definition is the builder's JSON with the task functions' ARNs as CDK tokens (CloudFormation joins
them in), so what runs in the cloud is what the local stack and the tests run on moto.

The functions that start executions are told the state machine's ARN (`DIALER_STATE_MACHINE_ARN`), and
the state machine names those functions' ARNs: to keep that from being a circular dependency, the state
machine gets an explicit name and its ARN is built from that name (`dialer_state_machine_arn`), not read
from the resource.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from aws_cdk import ArnFormat, CfnResource, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions.catalog import FUNCTIONS, LambdaFunction
from infra_cdk.constructs.media_bucket import KEY_READ_ACTIONS, MANIFESTS_PREFIX, MediaBucket
from infra_cdk.nag import acknowledge
from infra_cdk.state_machines.dialer import STATE_MACHINE, dialer_definition

LOG_RETENTION = logs.RetentionDays.ONE_MONTH
READ_MANIFEST_ACTIONS = ["s3:GetObject"]
INVOKE_ACTIONS = ["lambda:InvokeFunction"]
# A Distributed Map starts its child executions on the state machine itself and watches/stops them.
START_CHILD_ACTIONS = ["states:StartExecution"]
WATCH_CHILD_ACTIONS = ["states:DescribeExecution", "states:StopExecution"]

UNSCOPED_SERVICE_ACTIONS_REASON = (
    "Step Functions logging and X-Ray tracing: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, "
    "DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups "
    "and xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets support no "
    "resource-level permissions, so AWS requires Resource '*' for them (added by CDK for logs and tracing)."
)
MANIFESTS_REASON = (
    "The Distributed Map's ItemReader reads the run's manifest, whose key is minted per run by "
    "dialer_prepare; the grant is s3:GetObject on the media bucket's manifests/ prefix only."
)
EXECUTIONS_REASON = (
    "A Distributed Map describes and stops the child executions it starts, whose ids are generated per run: "
    "the grant names this state machine's executions only (execution:<name>:*), as the AWS Distributed Map "
    "IAM example does."
)


def dialer_state_machine_name(stack: Stack) -> str:
    """Explicit and unique per stack, e.g. "CallFunnel-dialer"."""
    return f"{stack.stack_name}-{STATE_MACHINE}"


def dialer_state_machine_arn(stack: Stack) -> str:
    """The ARN, built from the explicit name (no reference to the resource: see the module docstring)."""
    return stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=dialer_state_machine_name(stack),
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def dialer_executions_arn(stack: Stack) -> str:
    """Every execution of the dialer: `arn:…:execution:<name>:*`."""
    return stack.format_arn(
        service="states",
        resource="execution",
        resource_name=f"{dialer_state_machine_name(stack)}:*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


@dataclass(frozen=True)
class DialerArns:
    """What functions that start and stop runs are granted: known before the state machine exists."""

    state_machine: str
    executions: str
    #: cdk-nag's IAM5 finding for a grant on `executions`.
    executions_finding: str

    @classmethod
    def of(cls, stack: Stack) -> DialerArns:
        return cls(
            state_machine=dialer_state_machine_arn(stack),
            executions=dialer_executions_arn(stack),
            executions_finding=executions_finding(dialer_state_machine_name(stack)),
        )


def dialer_task_functions(functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> tuple[LambdaFunction, ...]:
    """The catalog functions that are Lambda tasks of the dialer."""
    return tuple(
        spec for spec in functions
        if spec.state_machine_task is not None and spec.state_machine_task.state_machine == STATE_MACHINE
    )


class DialerStateMachine(Construct):
    """STANDARD state machine, logging ALL events (without execution data) and traced with X-Ray."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Mapping[str, lambda_.IFunction],
        media_bucket: MediaBucket,
        log_key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        task_names = [spec.name for spec in dialer_task_functions()]
        missing = [name for name in task_names if name not in functions]
        if missing:
            raise ValueError(f"the dialer's task functions are not deployed: {missing}")

        referenced: set[str] = set()

        def function_arn(name: str) -> str:
            referenced.add(name)
            return functions[name].function_arn

        definition = json.dumps(dialer_definition(function_arn))
        if referenced != set(task_names):
            raise ValueError(f"the dialer definition invokes {sorted(referenced)}, but the catalog's dialer "
                             f"tasks are {sorted(task_names)}")

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            # The /aws/vendedlogs/ prefix keeps log delivery off the account's size-limited resource policy.
            log_group_name=f"/aws/vendedlogs/states/{dialer_state_machine_name(stack)}",
            retention=LOG_RETENTION,
            encryption_key=log_key,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="CallFunnel dialer state machine",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="InvokeDialerTasks",
                actions=INVOKE_ACTIONS,
                resources=[functions[name].function_arn for name in task_names],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadRunManifests",
                actions=READ_MANIFEST_ACTIONS,
                resources=[media_bucket.bucket.arn_for_objects(f"{MANIFESTS_PREFIX}*")],
            )
        )
        # The media bucket is SSE-KMS: the Distributed Map's ItemReader decrypts the manifest with this role.
        self.role.add_to_policy(media_bucket.key_use("ReadRunManifestsKey", KEY_READ_ACTIONS))
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="StartTargetExecutions", actions=START_CHILD_ACTIONS, resources=[dialer_state_machine_arn(stack)]
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WatchTargetExecutions", actions=WATCH_CHILD_ACTIONS, resources=[dialer_executions_arn(stack)]
            )
        )

        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=dialer_state_machine_name(stack),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(definition),
            role=self.role,
            # Execution data (targets' phone numbers) stays out of the logs: RULES.md, data protection.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )

        # `RoleArn: !GetAtt` already orders the role (cfn-lint W3005); the policy must exist first, too.
        policy = cast(CfnResource, self.role.node.find_child("DefaultPolicy").node.default_child)
        cast(CfnResource, self.state_machine.node.default_child).add_override(
            "DependsOn", [stack.get_logical_id(policy)]
        )

        acknowledge(self, "AwsSolutions-IAM5[Resource::*]", UNSCOPED_SERVICE_ACTIONS_REASON)
        acknowledge(self, f"AwsSolutions-IAM5[Resource::<{media_bucket.logical_id}.Arn>/{MANIFESTS_PREFIX}*]",
                    MANIFESTS_REASON)
        acknowledge(self, executions_finding(dialer_state_machine_name(stack)), EXECUTIONS_REASON)


def executions_finding(state_machine_name: str) -> str:
    """cdk-nag's IAM5 finding for a grant on every execution of the named state machine."""
    return (f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
            f"execution:{state_machine_name}:*]")
