"""Scheduled campaign runs: the EventBridge Scheduler group and the role its schedules invoke with.

The application (functions with `Permission.MANAGE_SCHEDULES`) creates one schedule per scheduled run
in this group; each schedule invokes the catalog's `schedule_target` function as `role`. The group's
name is prefixed with the stack's so two stacks can share an account and region; the functions are told
the real name in `CAMPAIGN_SCHEDULE_GROUP`.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from functions.catalog import CAMPAIGN_SCHEDULE_GROUP, FUNCTIONS, LambdaFunction

SCHEDULER_SERVICE = "scheduler.amazonaws.com"
INVOKE_ACTIONS = ["lambda:InvokeFunction"]


def schedule_targets(functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> tuple[LambdaFunction, ...]:
    """The catalog functions that schedules invoke (`schedule_target=True`)."""
    return tuple(spec for spec in functions if spec.schedule_target)


class CampaignScheduler(Construct):
    """The schedule group and the invoke role; `add_target` gives the role its function."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.group = scheduler.CfnScheduleGroup(self, "Group", name=f"{stack.stack_name}-{CAMPAIGN_SCHEDULE_GROUP}")
        self.role = iam.Role(
            self,
            "InvokeRole",
            # Confused deputy: only schedules of this account's campaign group may act as this role.
            assumed_by=iam.ServicePrincipal(
                SCHEDULER_SERVICE,
                conditions={"StringEquals": {"aws:SourceAccount": stack.account, "aws:SourceArn": self.group.attr_arn}},
            ),
            description="EventBridge Scheduler: starts scheduled CallFunnel campaign runs",
        )
        self._target_arn: str | None = None

    @property
    def group_name(self) -> str:
        """The group's real name (a reference, so whoever uses it depends on the group)."""
        return self.group.ref

    @property
    def schedules_arn(self) -> str:
        """Every schedule of the group: `arn:…:scheduler:<region>:<account>:schedule/<group>/*`."""
        return Stack.of(self).format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.group_name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    @property
    def schedules_finding(self) -> str:
        """cdk-nag's IAM5 finding for a grant on `schedules_arn`."""
        group_id = Stack.of(self).get_logical_id(self.group)
        return ("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"
                f"schedule/<{group_id}>/*]")

    @property
    def target_function_arn(self) -> str:
        """The function schedules invoke; `add_target` must have been called."""
        if self._target_arn is None:
            raise ValueError("no schedule target yet: deploy the schedule_target function before functions that "
                             "manage schedules (the stack creates schedule targets first)")
        return self._target_arn

    def add_target(self, function: lambda_.IFunction) -> None:
        """Let schedules invoke `function` (exactly one: the functions are told a single target ARN)."""
        if self._target_arn is not None:
            raise ValueError("the campaign scheduler has one target function; the catalog names several")
        self._target_arn = function.function_arn
        self.role.add_to_policy(
            iam.PolicyStatement(sid="InvokeScheduledRuns", actions=INVOKE_ACTIONS, resources=[function.function_arn])
        )
