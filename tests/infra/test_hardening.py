"""Item 12's CDK hardening: reserved concurrency from the catalog, and the platform's data at rest (log
groups, function environments, the JWT signing and media-stream secrets) under a customer-managed key."""

from __future__ import annotations

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction, Permission
from infra_cdk.constructs.media_stream_secret import DESCRIPTION as MEDIA_STREAM_SECRET
from infra_cdk.constructs.payment_secrets import RECIPIENTS
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import lambda_of, referenced_id, role_statements, statements_with_action

pytestmark = pytest.mark.infra

#: An account's default Lambda concurrency quota, and what AWS keeps unreserved out of it.
ACCOUNT_CONCURRENCY = 1000
UNRESERVED_MINIMUM = 100

by_name = pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
SECRET_READS = {Permission.READ_JWT_SECRET, Permission.READ_MEDIA_STREAM_SECRET}


def _platform_key(synthesis: Synthesis) -> tuple[str, dict]:
    (found,) = [(key_id, key) for key_id, key in synthesis.of_type("AWS::KMS::Key").items()
                if key["Properties"]["Description"].startswith("Encrypts CallFunnel's log groups")]
    return found


@by_name
def test_every_function_reserves_the_concurrency_the_catalog_gives_it(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    assert function["Properties"]["ReservedConcurrentExecutions"] == spec.concurrency >= 1


def test_reserved_concurrency_leaves_the_accounts_unreserved_minimum(synthesis: Synthesis) -> None:
    reserved = sum(function["Properties"]["ReservedConcurrentExecutions"]
                   for function in synthesis.of_type("AWS::Lambda::Function").values())
    assert reserved == sum(spec.concurrency for spec in FUNCTIONS)
    assert reserved <= ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM


def test_queue_consumers_never_poll_beyond_their_reserved_concurrency(synthesis: Synthesis) -> None:
    consumers = [spec for spec in FUNCTIONS if spec.queue_trigger is not None]
    mappings = synthesis.of_type("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == len(consumers)
    for spec in consumers:
        function_id, _ = lambda_of(synthesis, spec)
        (mapping,) = [m for m in mappings.values() if referenced_id(m["Properties"]["FunctionName"]) == function_id]
        assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": spec.concurrency}


def test_the_platform_key_is_rotated_retained_and_lets_logs_use_it_for_this_accounts_log_groups(
    synthesis: Synthesis,
) -> None:
    _, key = _platform_key(synthesis)
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    (logs_statement,) = [statement for statement in key["Properties"]["KeyPolicy"]["Statement"]
                         if statement.get("Sid") == "CloudWatchLogsOfThisAccount"]
    assert "kms:EncryptionContext:aws:logs:arn" in logs_statement["Condition"]["ArnLike"]


def test_every_log_group_is_encrypted_with_the_platform_key(synthesis: Synthesis) -> None:
    key_id, _ = _platform_key(synthesis)
    log_groups = synthesis.of_type("AWS::Logs::LogGroup")
    # The functions', the API's access logs, the dialer's, the voice plane's and its VPC's flow logs.
    assert len(log_groups) == len(FUNCTIONS) + 4
    for log_group_id, log_group in log_groups.items():
        assert log_group["Properties"].get("KmsKeyId") == {"Fn::GetAtt": [key_id, "Arn"]}, log_group_id
        # CloudFormation must create the key (and its policy) before a log group that uses it.
        assert key_id in str(log_group.get("DependsOn", [])) + str(log_group["Properties"]["KmsKeyId"])


@by_name
def test_every_function_environment_is_encrypted_with_a_customer_managed_key(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, function = lambda_of(synthesis, spec)
    key = synthesis.resources[referenced_id(function["Properties"]["KmsKeyArn"])]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    if spec.name not in RECIPIENTS:  # payment secret holders keep a key of their own
        assert referenced_id(function["Properties"]["KmsKeyArn"]) == _platform_key(synthesis)[0]


@pytest.mark.parametrize("description", ["HS256 signing key", MEDIA_STREAM_SECRET])
def test_the_jwt_and_media_stream_secrets_are_encrypted_with_the_platform_key(synthesis: Synthesis,
                                                                            description: str) -> None:
    key_id, _ = _platform_key(synthesis)
    secrets = [secret for secret in synthesis.of_type("AWS::SecretsManager::Secret").values()
               if secret["Properties"].get("Description", "").startswith(description)]
    (secret,) = secrets
    assert secret["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


@pytest.mark.parametrize("spec", [spec for spec in FUNCTIONS if spec.permissions & SECRET_READS],
                         ids=lambda spec: spec.name)
def test_secret_readers_may_decrypt_only_through_secrets_manager_for_that_secret(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    key_id, _ = _platform_key(synthesis)
    (decrypt,) = [statement for statement in statements_with_action(role_statements(synthesis, spec), "kms:Decrypt")
                  if statement["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}]
    assert decrypt["Action"] == "kms:Decrypt"
    conditions = decrypt["Condition"]["StringEquals"]
    assert "kms:ViaService" in conditions and "kms:EncryptionContext:SecretARN" in conditions


@pytest.mark.parametrize("spec", [spec for spec in FUNCTIONS if not spec.permissions & SECRET_READS],
                         ids=lambda spec: spec.name)
def test_other_functions_get_no_use_of_the_platform_key(synthesis: Synthesis, spec: LambdaFunction) -> None:
    key_id, _ = _platform_key(synthesis)
    assert key_id not in str(role_statements(synthesis, spec))
