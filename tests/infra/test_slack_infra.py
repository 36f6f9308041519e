"""Each tenant's own Slack in the cloud: the Slack app's credentials as dynamic references to an ops-managed secret
(in two functions' environment, under a key of their own), and the credentials key for everything that opens a
tenant's bot token (the integrations routes, decisions, the click consumer, DSR erase, the voice plane)."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack

from functions.catalog import FUNCTIONS, LambdaFunction, Permission, by_name
from infra_cdk.constructs.slack_secrets import RECIPIENTS, SlackSecrets
from infra_cdk.deployment_settings import DeploymentSettings
from tests.infra.synthesis import SLACK_SECRET_NAME, Synthesis
from tests.infra.template_queries import as_list, lambda_of, referenced_id, role_statements

pytestmark = pytest.mark.infra

RECIPIENT_SPECS = [spec for spec in FUNCTIONS if spec.name in RECIPIENTS]
OTHERS = [spec for spec in FUNCTIONS if spec.name not in RECIPIENTS]
#: Every function that opens a tenant's sealed bot token to call Slack.
SLACK_CALLERS = ("integrations", "approvals", "slack_actions", "dsr")


def _environment(synthesis: Synthesis, spec: LambdaFunction) -> dict:
    _, function = lambda_of(synthesis, spec)
    return function["Properties"]["Environment"]["Variables"]


def _reference(field: str) -> str:
    return f"{{{{resolve:secretsmanager:{SLACK_SECRET_NAME}:SecretString:{field}::}}}}"


def _environment_key_arn(synthesis: Synthesis) -> dict:
    (key_id,) = [k for k, key in synthesis.of_type("AWS::KMS::Key").items()
                 if "Slack app's credentials" in key["Properties"]["Description"]]
    return {"Fn::GetAtt": [key_id, "Arn"]}


def test_the_recipients_are_catalog_functions() -> None:
    assert {spec.name for spec in RECIPIENT_SPECS} == set(RECIPIENTS) == {"integrations", "slack_interactivity"}


def test_add_to_slack_gets_the_apps_client_id_and_secret_and_nothing_else_of_slack(synthesis: Synthesis) -> None:
    environment = _environment(synthesis, by_name("integrations"))
    assert environment["SLACK_CLIENT_ID"] == _reference("client_id")
    assert environment["SLACK_CLIENT_SECRET"] == _reference("client_secret")
    assert "SLACK_SIGNING_SECRET" not in environment


def test_interactivity_gets_the_signing_secret_only(synthesis: Synthesis) -> None:
    environment = _environment(synthesis, by_name("slack_interactivity"))
    assert environment["SLACK_SIGNING_SECRET"] == _reference("signing_secret")
    assert not {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"} & set(environment)


@pytest.mark.parametrize("spec", RECIPIENT_SPECS, ids=lambda spec: spec.name)
def test_recipients_encrypt_their_environment_with_the_slack_secrets_key_and_cannot_read_the_secret(
        synthesis: Synthesis, spec: LambdaFunction) -> None:
    _, function = lambda_of(synthesis, spec)
    assert function["Properties"]["KmsKeyArn"] == _environment_key_arn(synthesis)
    assert SLACK_SECRET_NAME not in str(role_statements(synthesis, spec))  # resolved at deploy time


@pytest.mark.parametrize("spec", OTHERS, ids=lambda spec: spec.name)
def test_other_functions_hold_no_slack_app_credential(synthesis: Synthesis, spec: LambdaFunction) -> None:
    assert not {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET"} & set(_environment(synthesis, spec))
    assert "SLACK_WEBHOOK_URL" not in _environment(synthesis, spec)


def test_without_a_secret_name_no_function_gets_a_slack_variable() -> None:
    secrets = SlackSecrets(Stack(App(), "Stack"), "SlackSecrets", secret_name=None)
    assert [secrets.environment_for(spec) for spec in RECIPIENT_SPECS] == [{}, {}]


@pytest.mark.parametrize(("context", "expected"), [({}, None), ({"slack_secret_name": "ops/slack"}, "ops/slack")])
def test_deployment_context_names_the_slack_secret(context: dict, expected: str | None) -> None:
    assert DeploymentSettings.from_context(App(context=context).node).slack_secret_name == expected


@pytest.mark.parametrize("name", SLACK_CALLERS)
def test_functions_that_call_a_tenants_slack_may_open_its_sealed_token(synthesis: Synthesis, name: str) -> None:
    spec = by_name(name)
    assert Permission.CREDENTIALS_KEY in spec.permissions
    statements = [s for s in role_statements(synthesis, spec) if "kms:Decrypt" in as_list(s["Action"])
                  and "kms:EncryptionContextKeys" in json.dumps(s.get("Condition", {}))]
    assert statements, f"{name} cannot decrypt under the credentials key"


def test_the_voice_plane_may_open_a_tenants_slack_token_bound_to_the_tenant(synthesis: Synthesis) -> None:
    # An approval asked mid-call is posted from the voice plane's task.
    (task,) = [t for logical_id, t in synthesis.of_type("AWS::ECS::TaskDefinition").items()
               if logical_id.startswith("VoicePlane")]
    role_id = referenced_id(task["Properties"]["TaskRoleArn"])
    statements = [statement for policy in synthesis.of_type("AWS::IAM::Policy").values()
                  if {"Ref": role_id} in policy["Properties"]["Roles"]
                  for statement in policy["Properties"]["PolicyDocument"]["Statement"]]
    (credentials,) = [s for s in statements if "kms:GenerateDataKey" in as_list(s["Action"])
                      and "kms:EncryptionContextKeys" in json.dumps(s.get("Condition", {}))]
    key = synthesis.resources[referenced_id(credentials["Resource"])]
    assert "BYOK" in key["Properties"]["Description"] or "credential" in key["Properties"]["Description"].lower()
    (container,) = task["Properties"]["ContainerDefinitions"]
    environment = {variable["Name"]: variable["Value"] for variable in container["Environment"]}
    assert referenced_id(environment["CREDENTIALS_KMS_KEY_ID"]) == referenced_id(credentials["Resource"])
