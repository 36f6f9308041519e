"""Payment processor secrets: dynamic references to an ops-managed secret, in two functions' encrypted environment."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack

from functions.catalog import FUNCTIONS, LambdaFunction, by_name
from infra_cdk.constructs.payment_secrets import RECIPIENTS, PaymentSecrets
from infra_cdk.deployment_settings import DeploymentSettings
from tests.infra.synthesis import PAYMENTS_SECRET_NAME, Synthesis
from tests.infra.template_queries import lambda_of, role_statements

pytestmark = pytest.mark.infra

RECIPIENT_SPECS = [spec for spec in FUNCTIONS if spec.name in RECIPIENTS]
OTHERS = [spec for spec in FUNCTIONS if spec.name not in RECIPIENTS]


def _environment(synthesis: Synthesis, spec: LambdaFunction) -> dict:
    _, function = lambda_of(synthesis, spec)
    return function["Properties"]["Environment"]["Variables"]


def _reference(field: str) -> str:
    return f"{{{{resolve:secretsmanager:{PAYMENTS_SECRET_NAME}:SecretString:{field}::}}}}"


def _environment_key_arn(synthesis: Synthesis) -> dict:
    (key_id,) = [k for k, key in synthesis.of_type("AWS::KMS::Key").items()
                 if "payment processor secrets" in key["Properties"]["Description"]]
    return {"Fn::GetAtt": [key_id, "Arn"]}


def test_the_recipients_are_catalog_functions() -> None:
    assert {spec.name for spec in RECIPIENT_SPECS} == set(RECIPIENTS) == {"payment_webhooks", "billing"}


def test_the_webhook_receiver_gets_both_signing_secrets_during_a_rotation(synthesis: Synthesis) -> None:
    environment = _environment(synthesis, by_name("payment_webhooks"))
    assert environment["PAYMENTS_WEBHOOK_SECRET"] == _reference("webhook_secret")
    assert environment["PAYMENTS_WEBHOOK_PREVIOUS_SECRET"] == _reference("previous_webhook_secret")
    assert "PAYMENTS_API_KEY" not in environment


def test_billing_gets_the_processor_api_key_and_no_signing_secret(synthesis: Synthesis) -> None:
    environment = _environment(synthesis, by_name("billing"))
    assert environment["PAYMENTS_API_KEY"] == _reference("api_key")
    assert not {"PAYMENTS_WEBHOOK_SECRET", "PAYMENTS_WEBHOOK_PREVIOUS_SECRET"} & set(environment)


@pytest.mark.parametrize("spec", RECIPIENT_SPECS, ids=lambda spec: spec.name)
def test_recipients_encrypt_their_environment_with_the_payment_secrets_key(synthesis: Synthesis,
                                                                           spec: LambdaFunction) -> None:
    _, function = lambda_of(synthesis, spec)
    assert function["Properties"]["KmsKeyArn"] == _environment_key_arn(synthesis)


@pytest.mark.parametrize("spec", RECIPIENT_SPECS, ids=lambda spec: spec.name)
def test_recipients_cannot_read_the_payments_secret_at_run_time(synthesis: Synthesis, spec: LambdaFunction) -> None:
    # CloudFormation resolves the reference at deploy time: the role needs no access to the secret.
    assert PAYMENTS_SECRET_NAME not in str(role_statements(synthesis, spec))


@pytest.mark.parametrize("spec", OTHERS, ids=lambda spec: spec.name)
def test_other_functions_hold_no_payment_secret(synthesis: Synthesis, spec: LambdaFunction) -> None:
    _, function = lambda_of(synthesis, spec)
    assert not [name for name in _environment(synthesis, spec) if name.startswith("PAYMENTS_")]
    # Their environment is under the platform key (tests/infra/test_hardening.py), not the payments one.
    assert function["Properties"]["KmsKeyArn"] != _environment_key_arn(synthesis)


def test_without_a_secret_name_no_function_gets_a_payment_variable() -> None:
    # Given a deployment that names no payments secret (the sandbox processor runs)
    secrets = PaymentSecrets(Stack(App(), "Stack"), "PaymentSecrets", secret_name=None, rotating_webhook_secret=True)

    # Then no recipient is given a variable
    assert [secrets.environment_for(spec) for spec in RECIPIENT_SPECS] == [{}, {}]


def test_outside_a_rotation_the_receiver_gets_the_current_secret_only() -> None:
    secrets = PaymentSecrets(Stack(App(), "Stack"), "PaymentSecrets", secret_name="ops/payments",
                             rotating_webhook_secret=False)
    assert set(secrets.environment_for(by_name("payment_webhooks"))) == {"PAYMENTS_WEBHOOK_SECRET"}


@pytest.mark.parametrize(("context", "expected"), [
    ({}, (None, False)),
    ({"payments_secret_name": "ops/payments"}, ("ops/payments", False)),
    ({"payments_secret_name": "ops/payments", "payments_webhook_rotation": "true"}, ("ops/payments", True)),
    ({"payments_webhook_rotation": "false"}, (None, False)),
])
def test_deployment_context_names_the_payments_secret_and_the_rotation(context: dict, expected: tuple) -> None:
    settings = DeploymentSettings.from_context(App(context=context).node)
    assert (settings.payments_secret_name, settings.payments_webhook_rotation) == expected
