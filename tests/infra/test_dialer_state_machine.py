"""The dialer state machine CDK deploys: the builder's exact document, run with a least-privilege role.

`resolved_dialer_definition` (also used by test_dialer_definition_on_moto.py) turns the synthesised
`Fn::Join` back into JSON, with each function's `Fn::GetAtt` replaced by a fake ARN named after its
catalog function.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match, Template

from functions.catalog import FUNCTIONS, LambdaFunction, Permission
from infra_cdk.app import STACK_NAME
from infra_cdk.constructs.dialer_state_machine import dialer_task_functions
from infra_cdk.constructs.media_bucket import MANIFESTS_PREFIX
from infra_cdk.state_machines.dialer import CALL_TIMEOUT_SECONDS, dialer_definition
from tests.infra.synthesis import Resource, Synthesis
from tests.infra.template_queries import actions_of, as_list, lambda_of, referenced_id, statements_with_action

pytestmark = pytest.mark.infra

DIALER_NAME = f"{STACK_NAME}-dialer"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
TRANSIENT_LAMBDA_ERRORS = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                           "Lambda.TooManyRequestsException"}
# Added by CDK for logging and tracing; these actions support no resource-level permissions.
LOG_DELIVERY_ACTIONS = {"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                        "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                        "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"}
TRACING_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                   "xray:GetSamplingTargets"}
# kms:Decrypt: the manifests are SSE-KMS under the media bucket's key (test_media_grants.py checks its conditions).
DIALER_ROLE_ACTIONS = {"lambda:InvokeFunction", "s3:GetObject", "kms:Decrypt", "states:StartExecution",
                       "states:DescribeExecution", "states:StopExecution"}


def fake_function_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def dialer_state_machine(synthesis: Synthesis) -> tuple[str, Resource]:
    (found,) = [
        (logical_id, resource)
        for logical_id, resource in synthesis.of_type("AWS::StepFunctions::StateMachine").items()
        if resource["Properties"].get("StateMachineName") == DIALER_NAME
    ]
    return found


def resolved_dialer_definition_text(synthesis: Synthesis) -> str:
    """The DefinitionString as CloudFormation would join it, with fake ARNs for the catalog functions."""
    catalog_name_of = {lambda_of(synthesis, spec)[0]: spec.name for spec in FUNCTIONS}
    _, machine = dialer_state_machine(synthesis)
    separator, pieces = machine["Properties"]["DefinitionString"]["Fn::Join"]

    def resolve(piece: Any) -> str:
        if isinstance(piece, str):
            return piece
        if "Fn::GetAtt" in piece and piece["Fn::GetAtt"][1] != "Arn":
            raise AssertionError(f"the definition reads {piece}, not a function's ARN")
        return fake_function_arn(catalog_name_of[referenced_id(piece)])

    return separator.join(resolve(piece) for piece in pieces)


def resolved_dialer_definition(synthesis: Synthesis) -> dict[str, Any]:
    return json.loads(resolved_dialer_definition_text(synthesis))


def _definition_template(synthesis: Synthesis) -> Template:
    """A template holding the resolved definition as a string, so `Match.serialized_json` can read it."""
    return Template.from_json({"Resources": {"Dialer": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"DefinitionString": resolved_dialer_definition_text(synthesis)},
    }}})


def _has_definition(synthesis: Synthesis, pattern: dict[str, Any]) -> None:
    _definition_template(synthesis).has_resource_properties(
        "AWS::StepFunctions::StateMachine", {"DefinitionString": Match.serialized_json(Match.object_like(pattern))}
    )


def _role_statements(synthesis: Synthesis, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesis.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _dialer_role(synthesis: Synthesis) -> tuple[str, Resource]:
    _, machine = dialer_state_machine(synthesis)
    role_id = referenced_id(machine["Properties"]["RoleArn"])
    return role_id, synthesis.resources[role_id]


def _resources_of(statements: list[dict[str, Any]], action: str) -> list[Any]:
    return [resource for s in statements_with_action(statements, action) for resource in as_list(s["Resource"])]


def _states_arn(resource_part: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":states:", {"Ref": "AWS::Region"}, ":",
                              {"Ref": "AWS::AccountId"}, f":{resource_part}"]]}


def _lambda_tasks(states: dict[str, Any]) -> dict[str, Any]:
    """Every Lambda task state, in the top level and in Map item processors."""
    found = {}
    for name, state in states.items():
        if state.get("Resource", "").startswith(LAMBDA_INVOKE):
            found[name] = state
        if "ItemProcessor" in state:
            found.update(_lambda_tasks(state["ItemProcessor"]["States"]))
    return found


def test_the_catalog_has_dialer_tasks() -> None:
    assert {spec.name for spec in dialer_task_functions()} == {"dialer_prepare", "dialer_dial", "dialer_finish"}


def test_dialer_is_a_standard_state_machine_with_an_explicit_name(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties(
        "AWS::StepFunctions::StateMachine", {"StateMachineName": DIALER_NAME, "StateMachineType": "STANDARD"}
    )


def test_dialer_logs_all_events_without_execution_data_and_is_traced(synthesis: Synthesis) -> None:
    _, machine = dialer_state_machine(synthesis)
    properties = machine["Properties"]
    logging = properties["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    # Execution data holds the targets' phone numbers (RULES.md: never log full numbers).
    assert logging["IncludeExecutionData"] is False
    (destination,) = logging["Destinations"]
    log_group = synthesis.resources[referenced_id(destination["CloudWatchLogsLogGroup"]["LogGroupArn"])]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30
    assert properties["TracingConfiguration"] == {"Enabled": True}


def test_definition_reads_the_manifest_from_s3_into_a_distributed_map_of_standard_children(
    synthesis: Synthesis,
) -> None:
    _has_definition(synthesis, {"States": Match.object_like({"CallTargets": Match.object_like({
        "Type": "Map",
        "ItemReader": Match.object_like({
            "Resource": "arn:aws:states:::s3:getObject",
            # Without it a JSON manifest is not read as an array of items (moto iterates its characters).
            "ReaderConfig": {"InputType": "JSON"},
        }),
        "MaxConcurrencyPath": "$.manifest.max_concurrency",
        "ItemProcessor": Match.object_like({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}),
    })})})


def test_dial_waits_for_its_task_token_with_a_timeout_and_no_heartbeat(synthesis: Synthesis) -> None:
    dial = Capture()
    _has_definition(synthesis, {"States": Match.object_like({"CallTargets": Match.object_like({
        "ItemProcessor": Match.object_like({"States": Match.object_like({"Dial": dial})}),
    })})})
    assert dial.as_object()["Resource"] == f"{LAMBDA_INVOKE}.waitForTaskToken"
    assert dial.as_object()["TimeoutSeconds"] == CALL_TIMEOUT_SECONDS
    # A heartbeat would time the step out while the dial function answers through its own token.
    assert "HeartbeatSeconds" not in dial.as_object()
    assert dial.as_object()["Parameters"]["Payload"] == {"task_token.$": "$$.Task.Token", "step.$": "$"}


def test_every_lambda_task_retries_transient_lambda_errors(synthesis: Synthesis) -> None:
    states = Capture()
    _has_definition(synthesis, {"States": states})
    tasks = _lambda_tasks(states.as_object())
    assert set(tasks) == {"PrepareManifest", "Dial", "FinishRun"}
    for name, task in tasks.items():
        retried = {error for retrier in task.get("Retry", []) for error in retrier["ErrorEquals"]}
        assert TRANSIENT_LAMBDA_ERRORS <= retried, name


def test_deployed_definition_is_exactly_the_builders_document(synthesis: Synthesis) -> None:
    assert resolved_dialer_definition(synthesis) == dialer_definition(fake_function_arn)


def test_definition_names_the_functions_by_their_deployed_arns(synthesis: Synthesis) -> None:
    _, machine = dialer_state_machine(synthesis)
    _, pieces = machine["Properties"]["DefinitionString"]["Fn::Join"]
    references = [piece for piece in pieces if not isinstance(piece, str)]
    expected = {lambda_of(synthesis, spec)[0] for spec in dialer_task_functions()}
    assert {referenced_id(piece) for piece in references} == expected
    assert all(piece["Fn::GetAtt"][1] == "Arn" for piece in references)


def test_dialer_role_is_assumed_by_step_functions_only(synthesis: Synthesis) -> None:
    _, role = _dialer_role(synthesis)
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]


def test_dialer_role_grants_exactly_its_tasks_manifests_children_logs_and_traces(synthesis: Synthesis) -> None:
    role_id, _ = _dialer_role(synthesis)
    assert actions_of(_role_statements(synthesis, role_id)) == DIALER_ROLE_ACTIONS | LOG_DELIVERY_ACTIONS | (
        TRACING_ACTIONS
    )


def test_dialer_role_invokes_the_catalogs_dialer_tasks_only(synthesis: Synthesis) -> None:
    role_id, _ = _dialer_role(synthesis)
    invoked = _resources_of(_role_statements(synthesis, role_id), "lambda:InvokeFunction")
    expected = [{"Fn::GetAtt": [lambda_of(synthesis, spec)[0], "Arn"]} for spec in dialer_task_functions()]
    assert sorted(map(str, invoked)) == sorted(map(str, expected))


def test_dialer_role_reads_manifests_of_the_media_bucket_only(synthesis: Synthesis) -> None:
    role_id, _ = _dialer_role(synthesis)
    (bucket_id,) = [
        logical_id for logical_id, bucket in synthesis.of_type("AWS::S3::Bucket").items()
        if "LoggingConfiguration" in bucket["Properties"]
    ]
    read = _resources_of(_role_statements(synthesis, role_id), "s3:GetObject")
    assert read == [{"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, f"/{MANIFESTS_PREFIX}*"]]}]


def test_the_manifest_prefix_read_is_the_one_the_prepare_step_writes() -> None:
    from shared.dialer.manifest import MANIFEST_PREFIX

    assert MANIFESTS_PREFIX == f"{MANIFEST_PREFIX}/"


def test_dialer_role_starts_watches_and_stops_its_own_child_executions_only(synthesis: Synthesis) -> None:
    role_id, _ = _dialer_role(synthesis)
    statements = _role_statements(synthesis, role_id)
    assert _resources_of(statements, "states:StartExecution") == [_states_arn(f"stateMachine:{DIALER_NAME}")]
    for action in ("states:DescribeExecution", "states:StopExecution"):
        assert _resources_of(statements, action) == [_states_arn(f"execution:{DIALER_NAME}:*")]


def test_only_log_delivery_and_tracing_are_granted_on_every_resource(synthesis: Synthesis) -> None:
    role_id, _ = _dialer_role(synthesis)
    unscoped = [s for s in _role_statements(synthesis, role_id) if "*" in as_list(s["Resource"])]
    assert actions_of(unscoped) == LOG_DELIVERY_ACTIONS | TRACING_ACTIONS


def test_state_machine_is_created_after_its_role_policy(synthesis: Synthesis) -> None:
    role_id, _ = _dialer_role(synthesis)
    (policy_id,) = [
        logical_id for logical_id, policy in synthesis.of_type("AWS::IAM::Policy").items()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
    ]
    _, machine = dialer_state_machine(synthesis)
    assert machine["DependsOn"] == [policy_id]


def _starters() -> list[LambdaFunction]:
    return [spec for spec in FUNCTIONS if Permission.START_DIALER in spec.permissions]


def test_the_catalog_has_functions_that_start_the_dialer() -> None:
    assert {spec.name for spec in _starters()} >= {"workflows", "scheduled_runs"}


@pytest.mark.parametrize("spec", _starters(), ids=[spec.name for spec in _starters()])
def test_functions_that_start_runs_are_told_the_deployed_state_machines_arn(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    announced = function["Properties"]["Environment"]["Variables"]["DIALER_STATE_MACHINE_ARN"]
    # Built from the name (no reference to the state machine, which references the functions)...
    assert announced == _states_arn(f"stateMachine:{DIALER_NAME}")
    # ...which is the deployed state machine's name.
    _, machine = dialer_state_machine(synthesis)
    assert machine["Properties"]["StateMachineName"] == DIALER_NAME


@pytest.mark.parametrize("spec", FUNCTIONS, ids=[spec.name for spec in FUNCTIONS])
def test_only_functions_that_start_runs_are_told_the_state_machine(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    told = "DIALER_STATE_MACHINE_ARN" in function["Properties"]["Environment"]["Variables"]
    assert told == (Permission.START_DIALER in spec.permissions)
