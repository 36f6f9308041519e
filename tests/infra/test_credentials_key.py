"""The BYOK credentials key: rotated, aliased, retained; usable only with the tenant in the encryption context."""

from __future__ import annotations

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction, Permission
from tests.infra.synthesis import Resource, Synthesis
from tests.infra.template_queries import lambda_of, role_statements

pytestmark = pytest.mark.infra

HOLDERS = [spec for spec in FUNCTIONS if Permission.CREDENTIALS_KEY in spec.permissions]
OTHERS = [spec for spec in FUNCTIONS if Permission.CREDENTIALS_KEY not in spec.permissions]
TENANT_CONTEXT_REQUIRED = {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["tenant_id"]}}


def _credentials_key(synthesis: Synthesis) -> tuple[str, Resource]:
    (alias,) = synthesis.of_type("AWS::KMS::Alias").values()
    key_id = alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
    return key_id, synthesis.resources[key_id]


def _statements_on_key(synthesis: Synthesis, spec: LambdaFunction) -> list[dict]:
    key_id, _ = _credentials_key(synthesis)
    return [s for s in role_statements(synthesis, spec) if s["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}]


def test_the_catalog_has_credentials_key_holders() -> None:
    assert HOLDERS and OTHERS


def test_the_credentials_key_rotates_is_aliased_and_survives_stack_deletion(synthesis: Synthesis) -> None:
    _, key = _credentials_key(synthesis)
    (alias,) = synthesis.of_type("AWS::KMS::Alias").values()
    assert alias["Properties"]["AliasName"] == "alias/callfunnel/credentials"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Retain", "Retain")


@pytest.mark.parametrize("spec", HOLDERS, ids=lambda spec: spec.name)
def test_holders_generate_and_decrypt_data_keys_only_with_a_tenant_context(synthesis: Synthesis,
                                                                           spec: LambdaFunction) -> None:
    (statement,) = _statements_on_key(synthesis, spec)
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statement["Condition"] == TENANT_CONTEXT_REQUIRED


@pytest.mark.parametrize("spec", HOLDERS, ids=lambda spec: spec.name)
def test_holders_are_told_the_credentials_key(synthesis: Synthesis, spec: LambdaFunction) -> None:
    key_id, _ = _credentials_key(synthesis)
    _, function = lambda_of(synthesis, spec)
    environment = function["Properties"]["Environment"]["Variables"]
    assert environment["CREDENTIALS_KMS_KEY_ID"] == {"Fn::GetAtt": [key_id, "Arn"]}


@pytest.mark.parametrize("spec", OTHERS, ids=lambda spec: spec.name)
def test_other_functions_cannot_use_the_credentials_key(synthesis: Synthesis, spec: LambdaFunction) -> None:
    _, function = lambda_of(synthesis, spec)
    assert _statements_on_key(synthesis, spec) == []
    assert "CREDENTIALS_KMS_KEY_ID" not in function["Properties"]["Environment"]["Variables"]
