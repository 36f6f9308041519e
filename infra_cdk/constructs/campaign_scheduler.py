"""Scheduled campaign runs and callbacks: the EventBridge Scheduler groups and the role their schedules invoke with.

The application (functions with `Permission.MANAGE_SCHEDULES`) creates one schedule per scheduled run
in the campaign group; each schedule invokes the catalog's schedule target of that group as `role`. Callbacks
(`Permission.MANAGE_CALLBACK_SCHEDULES`) put one one-time schedule per callback in the callbacks group, invoking
`callbacks_due`. The groups' names are prefixed with the stack's so two stacks can share an account and region;
the functions are told the real names in `CAMPAIGN_SCHEDULE_GROUP` / `CALLBACK_SCHEDULE_GROUP`.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from functions.catalog import CALLBACK_SCHEDULE_GROUP, CAMPAIGN_SCHEDULE_GROUP, FUNCTIONS, LambdaFunction

SCHEDULER_SERVICE = "scheduler.amazonaws.com"
INVOKE_ACTIONS = ["lambda:InvokeFunction"]


def schedule_targets(functions: tuple[LambdaFunction, ...] = FUNCTIONS,
                     group: str = CAMPAIGN_SCHEDULE_GROUP) -> tuple[LambdaFunction, ...]:
    """The catalog functions that the schedules of `group` invoke (`schedule_group`)."""
    return tuple(spec for spec in functions if spec.schedule_group == group)


class CampaignScheduler(Construct):
    """The schedule group and the invoke role; `add_target` gives the role its function."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.group = scheduler.CfnScheduleGroup(self, "Group", name=f"{stack.stack_name}-{CAMPAIGN_SCHEDULE_GROUP}")
        self.callback_group = scheduler.CfnScheduleGroup(self, "CallbackGroup",
                                                         name=f"{stack.stack_name}-{CALLBACK_SCHEDULE_GROUP}")
        self.role = iam.Role(
            self,
            "InvokeRole",
            # Confused deputy: only schedules of this account's campaign and callback groups may act as this role.
            assumed_by=iam.ServicePrincipal(
                SCHEDULER_SERVICE,
                conditions={"StringEquals": {"aws:SourceAccount": stack.account,
                                             "aws:SourceArn": [self.group.attr_arn, self.callback_group.attr_arn]}},
            ),
            description="EventBridge Scheduler: starts scheduled CallFunnel campaign runs and places due callbacks",
        )
        self._target_arns: dict[str, str] = {}

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
        return self._finding(self.group)

    @property
    def callback_group_name(self) -> str:
        return self.callback_group.ref

    @property
    def callback_schedules_arn(self) -> str:
        """Every schedule of the callbacks group."""
        return Stack.of(self).format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.callback_group_name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    @property
    def callback_schedules_finding(self) -> str:
        return self._finding(self.callback_group)

    def _finding(self, group: scheduler.CfnScheduleGroup) -> str:
        group_id = Stack.of(self).get_logical_id(group)
        return ("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"
                f"schedule/<{group_id}>/*]")

    @property
    def target_function_arn(self) -> str:
        """The function the campaign group's schedules invoke; `add_target` must have been called."""
        return self.target_function_arn_of(CAMPAIGN_SCHEDULE_GROUP)

    def has_target(self, group: str) -> bool:
        return group in self._target_arns

    def target_function_arn_of(self, group: str) -> str:
        if group not in self._target_arns:
            raise ValueError("no schedule target yet: deploy the schedule targets before functions that "
                             "manage schedules (the stack creates schedule targets first)")
        return self._target_arns[group]

    def add_target(self, function: lambda_.IFunction, group: str = CAMPAIGN_SCHEDULE_GROUP) -> None:
        """Let the schedules of `group` invoke `function` (one per group: the functions are told a single ARN)."""
        if group in self._target_arns:
            raise ValueError(f"the {group} schedule group has one target function; the catalog names several")
        self._target_arns[group] = function.function_arn
        sid = "InvokeScheduledRuns" if group == CAMPAIGN_SCHEDULE_GROUP else "InvokeDueCallbacks"
        self.role.add_to_policy(
            iam.PolicyStatement(sid=sid, actions=INVOKE_ACTIONS, resources=[function.function_arn])
        )
