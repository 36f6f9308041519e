"""Scheduled runs and callbacks: the schedule groups, the role schedules invoke with, and who may manage schedules."""

from __future__ import annotations

from typing import Any

import pytest

from functions.catalog import CALLBACK_SCHEDULE_GROUP, CAMPAIGN_SCHEDULE_GROUP, FUNCTIONS, LambdaFunction, Permission
from infra_cdk.app import STACK_NAME
from infra_cdk.constructs.campaign_scheduler import schedule_targets
from shared.platform.settings import Settings
from tests.infra.synthesis import Resource, Synthesis
from tests.infra.template_queries import (
    actions_of,
    as_list,
    lambda_of,
    referenced_id,
    role_statements,
    statements_with_action,
)

pytestmark = pytest.mark.infra

SCHEDULE_ACTIONS = {"scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule",
                    "scheduler:GetSchedule"}
SCHEDULE_ENVIRONMENT = {"CAMPAIGN_SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN", "SCHEDULED_RUNS_FUNCTION_ARN"}
CALLBACK_ENVIRONMENT = {"CALLBACK_SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN", "CALLBACKS_DUE_FUNCTION_ARN"}
MANAGERS = [spec for spec in FUNCTIONS if Permission.MANAGE_SCHEDULES in spec.permissions]
CALLBACK_MANAGERS = [spec for spec in FUNCTIONS if Permission.MANAGE_CALLBACK_SCHEDULES in spec.permissions]
OTHERS = [spec for spec in FUNCTIONS if not {Permission.MANAGE_SCHEDULES, Permission.MANAGE_CALLBACK_SCHEDULES}
          & spec.permissions]
manager = pytest.mark.parametrize("spec", MANAGERS, ids=[spec.name for spec in MANAGERS])
callback_manager = pytest.mark.parametrize("spec", CALLBACK_MANAGERS, ids=[spec.name for spec in CALLBACK_MANAGERS])
other = pytest.mark.parametrize("spec", OTHERS, ids=[spec.name for spec in OTHERS])


def _group(synthesis: Synthesis, name: str = CAMPAIGN_SCHEDULE_GROUP) -> tuple[str, Resource]:
    (found,) = [(logical_id, group) for logical_id, group in synthesis.of_type("AWS::Scheduler::ScheduleGroup").items()
                if group["Properties"]["Name"] == f"{STACK_NAME}-{name}"]
    return found


def _scheduler_role(synthesis: Synthesis) -> tuple[str, Resource]:
    (found,) = [
        (logical_id, role) for logical_id, role in synthesis.of_type("AWS::IAM::Role").items()
        if role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "scheduler.amazonaws.com"}
    ]
    return found


def _statements_of_role(synthesis: Synthesis, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesis.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _environment(synthesis: Synthesis, spec: LambdaFunction) -> dict[str, Any]:
    _, function = lambda_of(synthesis, spec)
    return function["Properties"]["Environment"]["Variables"]


def test_the_catalog_has_one_schedule_target_per_group_and_functions_that_manage_schedules() -> None:
    assert [spec.name for spec in schedule_targets()] == ["scheduled_runs"]
    assert [spec.name for spec in schedule_targets(group=CALLBACK_SCHEDULE_GROUP)] == ["callbacks_due"]
    assert MANAGERS and CALLBACK_MANAGERS


def test_the_environment_names_are_the_settings_aliases() -> None:
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert aliases >= SCHEDULE_ENVIRONMENT | CALLBACK_ENVIRONMENT
    assert Settings.model_fields["campaign_schedule_group"].default == CAMPAIGN_SCHEDULE_GROUP
    assert Settings.model_fields["callback_schedule_group"].default == CALLBACK_SCHEDULE_GROUP


def test_two_schedule_groups_named_after_the_stack(synthesis: Synthesis) -> None:
    names = sorted(group["Properties"]["Name"] for group in synthesis.of_type("AWS::Scheduler::ScheduleGroup").values())
    assert names == sorted(f"{STACK_NAME}-{name}" for name in (CAMPAIGN_SCHEDULE_GROUP, CALLBACK_SCHEDULE_GROUP))


def test_scheduler_role_is_assumed_only_by_schedules_of_the_groups_in_this_account(synthesis: Synthesis) -> None:
    group_id, _ = _group(synthesis)
    callback_group_id, _ = _group(synthesis, CALLBACK_SCHEDULE_GROUP)
    _, role = _scheduler_role(synthesis)
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"},
                                                   "aws:SourceArn": [{"Fn::GetAtt": [group_id, "Arn"]},
                                                                     {"Fn::GetAtt": [callback_group_id, "Arn"]}]}}
    assert "ManagedPolicyArns" not in role["Properties"]


def test_scheduler_role_may_only_invoke_the_schedule_targets(synthesis: Synthesis) -> None:
    role_id, _ = _scheduler_role(synthesis)
    statements = _statements_of_role(synthesis, role_id)
    assert actions_of(statements) == {"lambda:InvokeFunction"}
    invoked = sorted((resource for s in statements for resource in as_list(s["Resource"])), key=str)
    targets = [*schedule_targets(), *schedule_targets(group=CALLBACK_SCHEDULE_GROUP)]
    assert invoked == sorted(({"Fn::GetAtt": [lambda_of(synthesis, spec)[0], "Arn"]} for spec in targets), key=str)


@manager
def test_schedule_managers_are_told_the_group_role_and_target(synthesis: Synthesis, spec: LambdaFunction) -> None:
    group_id, _ = _group(synthesis)
    role_id, _ = _scheduler_role(synthesis)
    (target,) = schedule_targets()
    environment = _environment(synthesis, spec)
    assert environment["CAMPAIGN_SCHEDULE_GROUP"] == {"Ref": group_id}
    assert environment["SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert environment["SCHEDULED_RUNS_FUNCTION_ARN"] == {"Fn::GetAtt": [lambda_of(synthesis, target)[0], "Arn"]}


@manager
def test_schedule_managers_manage_schedules_of_the_campaign_group_only(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    group_id, _ = _group(synthesis)
    statements = [s for s in role_statements(synthesis, spec) if any(
        action.startswith("scheduler:") for action in as_list(s["Action"]))]
    (statement,) = statements
    assert set(as_list(statement["Action"])) == SCHEDULE_ACTIONS
    assert statement["Resource"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":scheduler:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
        ":schedule/", {"Ref": group_id}, "/*",
    ]]}


@manager
def test_schedule_managers_may_pass_the_scheduler_role_to_the_scheduler_only(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    role_id, _ = _scheduler_role(synthesis)
    (statement,) = statements_with_action(role_statements(synthesis, spec), "iam:PassRole")
    assert as_list(statement["Action"]) == ["iam:PassRole"]
    assert statement["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}


@other
def test_other_functions_cannot_touch_schedules_or_pass_roles(synthesis: Synthesis, spec: LambdaFunction) -> None:
    actions = actions_of(role_statements(synthesis, spec))
    assert not [action for action in actions if action.startswith(("scheduler:", "iam:"))]
    assert not (SCHEDULE_ENVIRONMENT | CALLBACK_ENVIRONMENT) & set(_environment(synthesis, spec))


@callback_manager
def test_callback_schedule_managers_are_told_the_callback_group_role_and_target(synthesis: Synthesis,
                                                                                spec: LambdaFunction) -> None:
    group_id, _ = _group(synthesis, CALLBACK_SCHEDULE_GROUP)
    role_id, _ = _scheduler_role(synthesis)
    (target,) = schedule_targets(group=CALLBACK_SCHEDULE_GROUP)
    environment = _environment(synthesis, spec)
    assert environment["CALLBACK_SCHEDULE_GROUP"] == {"Ref": group_id}
    assert environment["SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": [role_id, "Arn"]}
    if spec.name == target.name:  # its own ARN would be a circular reference: it re-arms with the ARN it runs as
        assert "CALLBACKS_DUE_FUNCTION_ARN" not in environment
    else:
        assert environment["CALLBACKS_DUE_FUNCTION_ARN"] == {"Fn::GetAtt": [lambda_of(synthesis, target)[0], "Arn"]}


@callback_manager
def test_callback_schedule_managers_manage_schedules_of_the_callback_group_only(synthesis: Synthesis,
                                                                                spec: LambdaFunction) -> None:
    group_id, _ = _group(synthesis, CALLBACK_SCHEDULE_GROUP)
    statements = [s for s in role_statements(synthesis, spec) if any(
        action.startswith("scheduler:") for action in as_list(s["Action"]))]
    (statement,) = statements
    assert set(as_list(statement["Action"])) == SCHEDULE_ACTIONS
    assert statement["Resource"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":scheduler:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
        ":schedule/", {"Ref": group_id}, "/*",
    ]]}


def test_the_scheduler_role_is_the_only_role_schedules_may_assume(synthesis: Synthesis) -> None:
    role_id, _ = _scheduler_role(synthesis)
    passed = {
        referenced_id(statement["Resource"])
        for spec in MANAGERS
        for statement in statements_with_action(role_statements(synthesis, spec), "iam:PassRole")
    }
    assert passed == {role_id}
