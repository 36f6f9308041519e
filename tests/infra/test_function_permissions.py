"""Each function's role grants exactly what its catalog permissions say, on our resources only."""

from __future__ import annotations

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction, Permission, by_name
from infra_cdk.app import STACK_NAME
from infra_cdk.constructs.media_stream_secret import DESCRIPTION as MEDIA_STREAM_SECRET
from infra_cdk.constructs.permission_grants import GRANTS
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import (
    actions_of,
    as_list,
    lambda_of,
    referenced_id,
    role_statements,
    secret_id,
    statements_with_action,
)

pytestmark = pytest.mark.infra


def _each(specs: list[LambdaFunction]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("spec", specs, ids=[spec.name for spec in specs])


def _functions_with(permission: Permission) -> list[LambdaFunction]:
    return [spec for spec in FUNCTIONS if permission in spec.permissions]


def _functions_without(permission: Permission) -> list[LambdaFunction]:
    return [spec for spec in FUNCTIONS if permission not in spec.permissions]


every_function = _each(list(FUNCTIONS))
SECRET_READS = {Permission.READ_JWT_SECRET, Permission.READ_MEDIA_STREAM_SECRET}

# Every function writes its logs and traces, whatever its permissions.
BASELINE_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
# The reviewed policy of each permission; the stack must grant these actions and nothing more.
ACTIONS_OF_PERMISSION = {
    Permission.TABLE_READ: {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
        "kms:Decrypt",
        "kms:DescribeKey",
    },
    Permission.TABLE_WRITE: {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    },
    Permission.SEND_EMAIL: {"ses:SendEmail", "ses:SendRawEmail"},
    Permission.READ_JWT_SECRET: {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
    Permission.READ_MEDIA_STREAM_SECRET: {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
    Permission.MEDIA_READ: {"s3:GetObject", "kms:Decrypt"},  # the media bucket is SSE-KMS
    Permission.MEDIA_WRITE: {"s3:PutObject", "kms:GenerateDataKey"},
    Permission.MEDIA_ERASE: {"s3:ListBucket", "s3:DeleteObject"},
    Permission.RECORDINGS_READ: {"s3:GetObject", "kms:Decrypt"},
    Permission.SEND_PAYMENT_EVENTS: {"sqs:SendMessage"},
    Permission.SEND_SLACK_ACTIONS: {"sqs:SendMessage"},
    Permission.CREDENTIALS_KEY: {"kms:GenerateDataKey", "kms:Decrypt"},
    Permission.SEND_CALL_EVENTS: {"sqs:SendMessage"},
    Permission.SEND_CALL_ANALYSIS: {"sqs:SendMessage"},
    # The webhook queues are under the customer-managed queue key: sending asks KMS for a data key.
    Permission.SEND_WEBHOOK_EVENTS: {"sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"},
    Permission.SEND_WEBHOOK_DELIVERIES: {"sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"},
    Permission.START_DIALER: {"states:StartExecution", "states:StopExecution", "states:DescribeExecution"},
    Permission.SEND_TASK_RESULT: {"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"},
    Permission.MANAGE_SCHEDULES: {
        "scheduler:CreateSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:GetSchedule",
        "iam:PassRole",
    },    Permission.MANAGE_CALLBACK_SCHEDULES: {
        "scheduler:CreateSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:GetSchedule",
        "iam:PassRole",
    },
}
# Step Functions task-token actions take a token, not an ARN: AWS allows them on Resource "*" only.
TASK_RESULT_ACTIONS = ACTIONS_OF_PERMISSION[Permission.SEND_TASK_RESULT]
DIALER_NAME = f"{STACK_NAME}-dialer"
# A queue-triggered function's event source mapping polls with its role (granted by CDK's SqsEventSource).
QUEUE_CONSUMER_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
}


def _table_arn(synthesis: Synthesis) -> dict:
    table_id, _ = synthesis.the_one("AWS::DynamoDB::Table")
    return {"Fn::GetAtt": [table_id, "Arn"]}


def _resources_of(statements: list[dict], action: str) -> list:
    return [
        resource for s in statements_with_action(statements, action) for resource in as_list(s["Resource"])
    ]


def _statements_for_service(statements: list[dict], service: str) -> list[dict]:
    return [s for s in statements if any(a.startswith(f"{service}:") for a in as_list(s["Action"]))]


def test_every_catalog_permission_has_a_grant_and_a_reviewed_policy() -> None:
    assert set(GRANTS) == set(Permission)
    assert set(ACTIONS_OF_PERMISSION) == set(Permission)


@every_function
def test_role_grants_exactly_the_actions_of_its_permissions(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    expected = BASELINE_ACTIONS.union(*(ACTIONS_OF_PERMISSION[p] for p in spec.permissions))
    if spec.queue_trigger is not None:
        expected |= QUEUE_CONSUMER_ACTIONS
        if spec.queue_trigger.customer_managed_key:
            expected |= {"kms:Decrypt"}  # its event source mapping reads messages under the queue key
    assert actions_of(role_statements(synthesis, spec)) == expected


@every_function
def test_role_is_assumed_by_lambda_only_and_has_no_managed_policy(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    role = synthesis.resources[referenced_id(function["Properties"]["Role"])]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert "ManagedPolicyArns" not in role


def test_health_function_without_permissions_cannot_touch_table_key_secret_email_media_or_queue(
    synthesis: Synthesis,
) -> None:
    health = by_name("health")
    assert health.permissions == frozenset()
    statements = role_statements(synthesis, health)
    assert actions_of(statements) == BASELINE_ACTIONS
    guarded_ids = {
        logical_id
        for kind in ("AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::SecretsManager::Secret", "AWS::S3::Bucket",
                     "AWS::SQS::Queue")
        for logical_id in synthesis.of_type(kind)
    }
    assert not [s for s in statements if any(guarded in str(s["Resource"]) for guarded in guarded_ids)]


@_each(_functions_with(Permission.TABLE_READ))
def test_table_reads_reach_the_table_and_its_two_indexes_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    statements = role_statements(synthesis, spec)
    table_arn = _table_arn(synthesis)
    index_arns = [{"Fn::Join": ["", [table_arn, f"/index/{name}"]]} for name in ("GSI1", "GSI2")]
    for action in ("dynamodb:GetItem", "dynamodb:Query"):
        assert sorted(map(str, _resources_of(statements, action))) == sorted(map(str, [table_arn, *index_arns]))


@_each(_functions_with(Permission.TABLE_WRITE))
def test_table_writes_reach_the_table_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    statements = role_statements(synthesis, spec)
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert _resources_of(statements, action) == [_table_arn(synthesis)]


def _key_arn(synthesis: Synthesis, description_start: str) -> dict:
    (key_id,) = [
        logical_id for logical_id, key in synthesis.of_type("AWS::KMS::Key").items()
        if key["Properties"]["Description"].startswith(description_start)
    ]
    return {"Fn::GetAtt": [key_id, "Arn"]}


@every_function
def test_kms_use_is_limited_to_the_table_key_the_credentials_key_the_jwt_secrets_key_and_the_media_key(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    # Given the keys a role may name: the table's, and the credentials key for CREDENTIALS_KEY holders
    allowed = [_key_arn(synthesis, "Encrypts the CallFunnel data table")]
    if spec.permissions & {Permission.MEDIA_READ, Permission.MEDIA_WRITE, Permission.RECORDINGS_READ}:
        allowed.append(_key_arn(synthesis, "Encrypts CallFunnel's media bucket"))
    if Permission.CREDENTIALS_KEY in spec.permissions:
        allowed.append(_key_arn(synthesis, "Envelope-encrypts"))
    if spec.permissions & SECRET_READS:  # the JWT and media-stream secrets are under the platform key
        allowed.append(_key_arn(synthesis, "Encrypts CallFunnel's log groups"))
    webhook_queues = {Permission.SEND_WEBHOOK_EVENTS, Permission.SEND_WEBHOOK_DELIVERIES}
    if webhook_queues & spec.permissions or (spec.queue_trigger and spec.queue_trigger.customer_managed_key):
        allowed.append(_key_arn(synthesis, "Encrypts the webhook queues"))

    kms_statements = _statements_for_service(role_statements(synthesis, spec), "kms")

    # Then every KMS statement names one of them (never the key of the payment secrets' environment)
    assert all(s["Resource"] in allowed for s in kms_statements)


@_each(_functions_without(Permission.SEND_EMAIL))
def test_functions_not_allowed_to_email_have_no_ses_action(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    assert _statements_for_service(role_statements(synthesis, spec), "ses") == []


@_each(_functions_with(Permission.SEND_EMAIL))
def test_email_senders_may_send_only_as_the_sender_domain(synthesis: Synthesis, spec: LambdaFunction) -> None:
    (statement,) = _statements_for_service(role_statements(synthesis, spec), "ses")
    arn_parts = statement["Resource"]["Fn::Join"][1]
    assert arn_parts[:3] == ["arn:", {"Ref": "AWS::Partition"}, ":ses:"]
    assert arn_parts[-1] == ":identity/callfunnel.ai"


@_each([spec for spec in FUNCTIONS if not spec.permissions & SECRET_READS])
def test_functions_not_allowed_a_secret_cannot_read_secrets(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    assert _statements_for_service(role_statements(synthesis, spec), "secretsmanager") == []


@_each(_functions_with(Permission.READ_JWT_SECRET))
def test_jwt_secret_readers_read_that_secret_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    (statement,) = _statements_for_service(role_statements(synthesis, spec), "secretsmanager")
    assert statement["Resource"] == {"Ref": secret_id(synthesis, "HS256 signing key")}


@_each(_functions_with(Permission.READ_MEDIA_STREAM_SECRET))
def test_the_voice_webhook_reads_the_media_stream_secret_only_never_the_jwt_secret(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    # A carrier webhook that could read the session-signing key could forge any user's session.
    assert spec.name == "telephony_webhooks" and Permission.READ_JWT_SECRET not in spec.permissions
    (statement,) = _statements_for_service(role_statements(synthesis, spec), "secretsmanager")
    assert statement["Resource"] == {"Ref": secret_id(synthesis, MEDIA_STREAM_SECRET)}


def test_no_function_may_scan_the_table(synthesis: Synthesis) -> None:
    assert not [
        spec.name for spec in FUNCTIONS if "dynamodb:Scan" in actions_of(role_statements(synthesis, spec))
    ]


def test_no_iam_policy_has_a_wildcard_action(synthesis: Synthesis) -> None:
    policies = [p["Properties"]["PolicyDocument"] for p in synthesis.of_type("AWS::IAM::Policy").values()]
    policies += [
        inline["PolicyDocument"]
        for role in synthesis.of_type("AWS::IAM::Role").values()
        for inline in role["Properties"].get("Policies", [])
    ]
    wildcard_actions = [
        a for doc in policies for s in doc["Statement"] for a in as_list(s["Action"]) if "*" in a
    ]
    assert wildcard_actions == []


def test_only_x_ray_and_task_results_are_granted_on_every_resource(synthesis: Synthesis) -> None:
    for spec in FUNCTIONS:
        unscoped = [s for s in role_statements(synthesis, spec) if "*" in as_list(s["Resource"])]
        expected = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
        if Permission.SEND_TASK_RESULT in spec.permissions:
            expected |= TASK_RESULT_ACTIONS
        assert actions_of(unscoped) == expected, spec.name


@_each(_functions_with(Permission.SEND_TASK_RESULT))
def test_task_results_are_their_own_statement_on_every_resource(synthesis: Synthesis, spec: LambdaFunction) -> None:
    (statement,) = [s for s in role_statements(synthesis, spec) if TASK_RESULT_ACTIONS & set(as_list(s["Action"]))]
    assert set(as_list(statement["Action"])) == TASK_RESULT_ACTIONS
    assert statement["Resource"] == "*"


def _dialer_arn(resource_part: str) -> dict:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":states:", {"Ref": "AWS::Region"}, ":",
                              {"Ref": "AWS::AccountId"}, f":{resource_part}"]]}


@_each(_functions_with(Permission.START_DIALER))
def test_dialer_starters_start_the_dialer_and_stop_its_executions_only(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    statements = role_statements(synthesis, spec)
    assert _resources_of(statements, "states:StartExecution") == [_dialer_arn(f"stateMachine:{DIALER_NAME}")]
    for action in ("states:StopExecution", "states:DescribeExecution"):
        assert _resources_of(statements, action) == [_dialer_arn(f"execution:{DIALER_NAME}:*")]


@_each(_functions_without(Permission.START_DIALER))
def test_functions_not_allowed_to_start_the_dialer_cannot(synthesis: Synthesis, spec: LambdaFunction) -> None:
    actions = actions_of(role_statements(synthesis, spec))
    assert not {"states:StartExecution", "states:StopExecution", "states:DescribeExecution"} & actions


@_each(_functions_with(Permission.SEND_CALL_EVENTS))
def test_call_event_senders_send_to_the_call_events_queue(synthesis: Synthesis, spec: LambdaFunction) -> None:
    # (Each send reaches only the queues its permissions name: tests/infra/test_event_queues.py.)
    (consumer,) = [c for c in FUNCTIONS if c.queue_trigger is not None and c.queue_trigger.queue == "call-events"]
    consumer_id, _ = lambda_of(synthesis, consumer)
    (mapping,) = [
        m["Properties"] for m in synthesis.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": consumer_id}
    ]
    assert mapping["EventSourceArn"] in _resources_of(role_statements(synthesis, spec), "sqs:SendMessage")
    _, function = lambda_of(synthesis, spec)
    queue_id = referenced_id(mapping["EventSourceArn"])
    assert function["Properties"]["Environment"]["Variables"]["CALL_EVENTS_QUEUE_URL"] == {"Ref": queue_id}


def _wildcard_action_statements(synthesis: Synthesis) -> list[tuple[str, dict]]:
    return [
        (logical_id, statement)
        for logical_id, resource in synthesis.resources.items()
        for document_name in ("PolicyDocument", "KeyPolicy")
        for statement in resource["Properties"].get(document_name, {}).get("Statement", [])
        if any("*" in action for action in as_list(statement.get("Action", [])))
    ]


def test_the_only_wildcard_allows_left_are_the_kms_keys_default_admin_statements(synthesis: Synthesis) -> None:
    """KMS's default key policy lets the account's IAM policies govern the key; nothing else allows `*`."""
    allows = [(i, s) for i, s in _wildcard_action_statements(synthesis) if s["Effect"] == "Allow"]
    # CDK's key-policy statement for a secret under our key: the account, only through Secrets Manager.
    via_secrets_manager = [
        (i, s) for i, s in allows
        if "kms:ViaService" in str(s.get("Condition")) and "secretsmanager." in str(s["Condition"])
        and "kms:*" not in as_list(s["Action"])
    ]
    assert len(via_secrets_manager) == 1  # the JWT signing secret's, on the platform key
    allows = [allow for allow in allows if allow not in via_secrets_manager]
    assert sorted(logical_id for logical_id, _ in allows) == sorted(synthesis.of_type("AWS::KMS::Key"))
    for _, statement in allows:
        assert statement["Action"] == "kms:*"
        assert statement["Principal"]["AWS"]["Fn::Join"][1][-1] == ":root"


def test_the_only_wildcard_denies_are_buckets_and_queues_refusing_plain_http(synthesis: Synthesis) -> None:
    denies = [(i, s) for i, s in _wildcard_action_statements(synthesis) if s["Effect"] == "Deny"]
    resource_policies = {**synthesis.of_type("AWS::S3::BucketPolicy"), **synthesis.of_type("AWS::SQS::QueuePolicy")}
    assert sorted(logical_id for logical_id, _ in denies) == sorted(resource_policies)
    assert all(
        s["Action"] in ("s3:*", "sqs:*") and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for _, s in denies
    )
