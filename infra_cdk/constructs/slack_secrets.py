"""The Slack app's credentials, in the environment of the two functions that need them.

Like the payment secrets (constructs/payment_secrets.py): ops keep them in a Secrets Manager secret of their own
(JSON fields below) and name it in CDK context `slack_secret_name`; each variable is a CloudFormation dynamic
reference resolved at deploy time, so no value sits in the template and no function role reads the secret. At
rest the variables are encrypted with the customer-managed key of this construct. Without a secret, "Add to
Slack" answers 503 SLACK_NOT_CONFIGURED and tenants decide approvals through the API. See infra_cdk/README.md.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_kms as kms
from constructs import Construct

from functions.catalog import LambdaFunction

CLIENT_ID_FIELD = "client_id"
CLIENT_SECRET_FIELD = "client_secret"
SIGNING_SECRET_FIELD = "signing_secret"

#: Function name → {environment variable: JSON field of the Slack secret}. `integrations` runs "Add to Slack"
#: (OAuth v2: the app's id and secret); `slack_interactivity` verifies the v0 signature of button clicks.
RECIPIENTS: dict[str, dict[str, str]] = {
    "integrations": {"SLACK_CLIENT_ID": CLIENT_ID_FIELD, "SLACK_CLIENT_SECRET": CLIENT_SECRET_FIELD},
    "slack_interactivity": {"SLACK_SIGNING_SECRET": SIGNING_SECRET_FIELD},
}


class SlackSecrets(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, secret_name: str | None) -> None:
        super().__init__(scope, construct_id)
        self._secret_name = secret_name
        # Always there, and always used by the recipients: naming a secret later changes no key.
        self.key = kms.Key(
            self,
            "EnvironmentKey",
            description="Encrypts at rest the environment of functions holding the Slack app's credentials",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def receives_secrets(self, spec: LambdaFunction) -> bool:
        return spec.name in RECIPIENTS

    def environment_for(self, spec: LambdaFunction) -> dict[str, str]:
        """The dynamic references this function gets; none without a secret (Slack is then off)."""
        if self._secret_name is None or spec.name not in RECIPIENTS:
            return {}
        return {
            variable: SecretValue.secrets_manager(self._secret_name, json_field=field).unsafe_unwrap()
            for variable, field in RECIPIENTS[spec.name].items()
        }
