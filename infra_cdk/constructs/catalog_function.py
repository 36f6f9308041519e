"""One Lambda of the function catalog, with a role that holds exactly its catalog permissions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from aws_cdk import CfnResource, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.catalog import LambdaFunction
from infra_cdk.constructs.event_queues import EventQueue
from infra_cdk.constructs.lambda_platform import ARCHITECTURE, RUNTIME, RUNTIME_PIN_REASON
from infra_cdk.constructs.permission_grants import GRANTS, GrantTargets
from infra_cdk.nag import acknowledge

LOG_RETENTION = logs.RetentionDays.ONE_MONTH
XRAY_REASON = (
    "Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no "
    "resource-level permissions, so AWS requires Resource '*' for these two actions."
)


class CatalogFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: LambdaFunction,
        code: lambda_.Code,
        layers: list[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        grant_targets: GrantTargets,
        platform_key: kms.IKey,
        trigger_queue: EventQueue | None = None,
        environment_key: kms.IKey | None = None,
    ) -> None:
        """`platform_key` encrypts the log group and the environment; `environment_key`, when given,
        the environment instead (functions holding payment secrets have a key of their own)."""
        super().__init__(scope, construct_id)
        self.spec = spec
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, encryption_key=platform_key)
        # Our own role instead of the AWS-managed basic execution policy: logs go to this group only.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"CallFunnel {spec.name} function",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )

        function_environment = dict(environment)
        # cdk-nag reports one finding per policy and finding id, so statements that share a finding
        # (e.g. Resource::* of X-Ray and of task tokens) share one acknowledgment, giving every reason.
        reasons: dict[str, list[str]] = {"AwsSolutions-IAM5[Resource::*]": [XRAY_REASON]}
        for permission in sorted(spec.permissions, key=lambda permission: permission.value):
            access = GRANTS[permission](grant_targets)
            for statement in access.statements:
                self.role.add_to_policy(statement)
            function_environment.update(access.environment)
            for finding, reason in access.acknowledgments:
                reasons.setdefault(finding, [])
                if reason not in reasons[finding]:
                    reasons[finding].append(reason)

        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=code,
            handler=spec.handler,
            description=spec.description,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            layers=layers,
            environment=function_environment,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            # Every environment at rest under a customer-managed key, not AWS's.
            environment_encryption=environment_key or platform_key,
            reserved_concurrent_executions=spec.concurrency,
        )
        if trigger_queue is not None:
            self._consume(trigger_queue)
        self._depend_on_policy_only()
        for finding, finding_reasons in reasons.items():
            acknowledge(self, finding, " ".join(finding_reasons))
        acknowledge(self, "AwsSolutions-L1", RUNTIME_PIN_REASON)

    def _consume(self, trigger_queue: EventQueue) -> None:
        """The event source mapping; CDK grants the role receive/delete/visibility on this queue only.

        Partial batch responses: a record the function lists in `batchItemFailures` is retried alone
        (then dead-lettered after `max_receives`), the rest of the batch is deleted.
        """
        self.function.add_event_source(
            event_sources.SqsEventSource(
                trigger_queue.queue,
                batch_size=trigger_queue.trigger.batch_size,
                report_batch_item_failures=True,
                # Never poll faster than the reserved concurrency allows: a throttled batch would go
                # back to the queue and spend its messages' receives on the way to the DLQ.
                max_concurrency=self.spec.concurrency,
            )
        )

    def _depend_on_policy_only(self) -> None:
        """Drop CDK's DependsOn the role: `Role: !GetAtt` already orders it (cfn-lint W3005).

        The dependency that matters stays: the function exists only once its policy does.
        """
        policy = cast(CfnResource, self.role.node.find_child("DefaultPolicy").node.default_child)
        function = cast(CfnResource, self.function.node.default_child)
        function.add_override("DependsOn", [Stack.of(self).get_logical_id(policy)])
