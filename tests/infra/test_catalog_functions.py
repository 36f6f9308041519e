"""Every catalog function is deployed as the catalog describes it, with the shared code and layer."""

from __future__ import annotations

import pytest

from functions.catalog import CALLBACK_SCHEDULE_GROUP, FUNCTIONS, LambdaFunction, Permission
from infra_cdk.constructs.media_stream_secret import DESCRIPTION as MEDIA_STREAM_SECRET
from infra_cdk.constructs.payment_secrets import RECIPIENTS, ROTATION_VARIABLES
from infra_cdk.constructs.slack_secrets import RECIPIENTS as SLACK_SECRET_RECIPIENTS
from infra_cdk.constructs.voice_plane import URL_RECIPIENTS as VOICE_PLANE_URL_RECIPIENTS
from tests.infra.packages import deployed_package
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import lambda_of, media_buckets, referenced_id, secret_id

pytestmark = pytest.mark.infra

by_name = pytest.mark.parametrize("spec", FUNCTIONS, ids=[spec.name for spec in FUNCTIONS])

ENVIRONMENT_OF_EVERY_FUNCTION = {
    "TABLE_NAME",
    "CALLFUNNEL_ENVIRONMENT",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "PUBLIC_BASE_URL",
    "EMAIL_SENDER",
    "CSRF_TRUSTED_ORIGINS",  # the console's URL (CloudFront): cookie writes come from there
}

# What a permission adds to the environment, so the function finds the resource it was granted.
ENVIRONMENT_OF_PERMISSION = {
    Permission.READ_JWT_SECRET: {"JWT_SECRET_ARN"},
    Permission.READ_MEDIA_STREAM_SECRET: {"MEDIA_STREAM_SECRET_ARN"},
    Permission.MEDIA_READ: {"MEDIA_BUCKET"},
    Permission.MEDIA_WRITE: {"MEDIA_BUCKET"},
    Permission.RECORDINGS_READ: {"MEDIA_BUCKET"},
    Permission.SEND_PAYMENT_EVENTS: {"PAYMENT_EVENTS_QUEUE_URL"},
    Permission.SEND_SLACK_ACTIONS: {"SLACK_ACTIONS_QUEUE_URL"},
    Permission.CREDENTIALS_KEY: {"CREDENTIALS_KMS_KEY_ID"},
    Permission.SEND_CALL_EVENTS: {"CALL_EVENTS_QUEUE_URL"},
    Permission.SEND_CALL_ANALYSIS: {"CALL_ANALYSIS_QUEUE_URL"},
    Permission.SEND_WEBHOOK_EVENTS: {"WEBHOOK_EVENTS_QUEUE_URL"},
    Permission.SEND_WEBHOOK_DELIVERIES: {"WEBHOOK_DELIVERIES_QUEUE_URL"},
    Permission.START_DIALER: {"DIALER_STATE_MACHINE_ARN"},
    Permission.MANAGE_SCHEDULES: {"CAMPAIGN_SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN", "SCHEDULED_RUNS_FUNCTION_ARN"},
    Permission.MANAGE_CALLBACK_SCHEDULES: {"CALLBACK_SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN",
                                           "CALLBACKS_DUE_FUNCTION_ARN"},
}


def _payment_secret_variables(spec: LambdaFunction) -> set[str]:
    """The synthesis names a payments secret mid-rotation (tests/infra/synthesis.py)."""
    variables = set(RECIPIENTS.get(spec.name, {}))
    return variables | set(ROTATION_VARIABLES) if "PAYMENTS_WEBHOOK_SECRET" in variables else variables


def test_one_lambda_per_catalog_function(synthesis: Synthesis) -> None:
    deployed = sorted(f["Properties"]["Handler"] for f in synthesis.of_type("AWS::Lambda::Function").values())
    assert deployed == sorted(spec.handler for spec in FUNCTIONS)


@by_name
def test_function_runs_the_catalog_handler_on_python_3_12_x86(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    properties = function["Properties"]
    assert properties["Runtime"] == "python3.12"
    assert properties["Architectures"] == ["x86_64"]
    assert properties["Description"] == spec.description


@by_name
def test_function_has_the_catalog_memory_and_timeout(synthesis: Synthesis, spec: LambdaFunction) -> None:
    _, function = lambda_of(synthesis, spec)
    assert function["Properties"]["MemorySize"] == spec.memory_mb
    assert function["Properties"]["Timeout"] == spec.timeout_seconds


@by_name
def test_function_uses_the_common_layer_then_its_own_and_active_tracing(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    (common_id,) = [
        logical_id for logical_id, layer in synthesis.of_type("AWS::Lambda::LayerVersion").items()
        if layer["Properties"]["Description"] == "CallFunnel: dependencies of every function"
    ]
    _, function = lambda_of(synthesis, spec)
    layers = function["Properties"]["Layers"]
    assert layers[0] == {"Ref": common_id}
    assert len(layers) <= 2  # Lambda allows 5
    assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}


@by_name
def test_function_environment_points_at_the_stack_resources(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    table_id, _ = synthesis.the_one("AWS::DynamoDB::Table")
    api_id, _ = synthesis.the_one("AWS::ApiGatewayV2::Api")
    _, function = lambda_of(synthesis, spec)
    environment = function["Properties"]["Environment"]["Variables"]
    assert environment["TABLE_NAME"] == {"Ref": table_id}
    assert environment["CALLFUNNEL_ENVIRONMENT"] == "aws"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "callfunnel"
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == "CallFunnel"
    assert environment["PUBLIC_BASE_URL"] == {"Fn::GetAtt": [api_id, "ApiEndpoint"]}
    assert environment["EMAIL_SENDER"] == "no-reply@callfunnel.ai"


@by_name
def test_only_functions_allowed_the_jwt_secret_are_told_where_it_is(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    jwt_secret = secret_id(synthesis, "HS256 signing key")
    _, function = lambda_of(synthesis, spec)
    environment = function["Properties"]["Environment"]["Variables"]
    if Permission.READ_JWT_SECRET in spec.permissions:
        assert environment["JWT_SECRET_ARN"] == {"Ref": jwt_secret}
    else:
        assert "JWT_SECRET_ARN" not in environment


@by_name
def test_only_the_voice_webhook_is_told_where_the_media_stream_secret_is(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    environment = function["Properties"]["Environment"]["Variables"]
    if spec.name == "telephony_webhooks":
        assert environment["MEDIA_STREAM_SECRET_ARN"] == {"Ref": secret_id(synthesis, MEDIA_STREAM_SECRET)}
    else:
        assert "MEDIA_STREAM_SECRET_ARN" not in environment


@by_name
def test_only_functions_with_a_media_permission_are_told_the_media_bucket(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    media_id, _ = media_buckets(synthesis)
    _, function = lambda_of(synthesis, spec)
    environment = function["Properties"]["Environment"]["Variables"]
    if spec.permissions & {Permission.MEDIA_READ, Permission.MEDIA_WRITE, Permission.RECORDINGS_READ}:
        assert environment["MEDIA_BUCKET"] == {"Ref": media_id}
    else:
        assert "MEDIA_BUCKET" not in environment


@by_name
def test_function_environment_is_the_common_one_plus_what_its_permissions_need(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    environment = function["Properties"]["Environment"]["Variables"]
    expected = ENVIRONMENT_OF_EVERY_FUNCTION.union(
        *(ENVIRONMENT_OF_PERMISSION.get(p, set()) for p in spec.permissions), _payment_secret_variables(spec),
        set(SLACK_SECRET_RECIPIENTS.get(spec.name, {})),
        {"VOICE_PLANE_URL"} if spec.name in VOICE_PLANE_URL_RECIPIENTS else set(),
    )
    if spec.schedule_group == CALLBACK_SCHEDULE_GROUP:  # not told its own ARN (a circular reference): it runs as it
        expected = expected - {"CALLBACKS_DUE_FUNCTION_ARN"}
    assert set(environment) == expected


@by_name
def test_function_logs_to_its_own_group_kept_one_month(synthesis: Synthesis, spec: LambdaFunction) -> None:
    _, function = lambda_of(synthesis, spec)
    log_group = synthesis.resources[referenced_id(function["Properties"]["LoggingConfig"]["LogGroup"])]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30
    other_functions = [f for f in synthesis.of_type("AWS::Lambda::Function").values() if f is not function]
    assert all(
        f["Properties"]["LoggingConfig"] != function["Properties"]["LoggingConfig"] for f in other_functions
    )


def test_every_log_group_has_a_retention(synthesis: Synthesis) -> None:
    log_groups = synthesis.of_type("AWS::Logs::LogGroup")
    # one per function, the API's access logs, the dialer state machine's execution history, the voice plane's
    # container logs and its VPC's flow logs
    assert len(log_groups) == len(FUNCTIONS) + 4
    assert all(group["Properties"].get("RetentionInDays") for group in log_groups.values())


def test_functions_with_the_same_modules_share_one_code_asset(synthesis: Synthesis) -> None:
    files_by_key: dict[str, set[str]] = {}
    for spec in FUNCTIONS:
        _, function = lambda_of(synthesis, spec)
        staged = deployed_package(synthesis, spec).code
        files = {str(path.relative_to(staged)) for path in staged.rglob("*.py")}
        assert files_by_key.setdefault(function["Properties"]["Code"]["S3Key"], files) == files


@by_name
def test_code_asset_holds_only_the_function_and_shared_packages(synthesis: Synthesis, spec: LambdaFunction) -> None:
    staged = deployed_package(synthesis, spec).code
    assert sorted(entry.name for entry in staged.iterdir()) == ["functions", "shared"]
    assert not [path for path in staged.rglob("*") if path.name == "__pycache__" or path.suffix == ".pyc"]
    assert (staged / (spec.module.replace(".", "/") + ".py")).is_file(), spec.handler
    other_functions = {entry.name for entry in (staged / "functions").iterdir() if entry.is_dir()} - {spec.name}
    # health serves the merged OpenAPI document, which imports every route handler.
    assert not other_functions or spec.name == "health", other_functions
