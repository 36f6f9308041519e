"""The payment processor's secrets, in the environment of the two functions that need them.

The code reads its settings from the environment only, so the secrets become environment variables,
but they never sit in the template: ops keep them in a Secrets Manager secret of their own (JSON fields
below) and name it in CDK context `payments_secret_name`; each variable is a CloudFormation dynamic
reference (`{{resolve:secretsmanager:...}}`) that CloudFormation resolves at deploy time. At rest the
variables are encrypted with the customer-managed key of this construct. See infra_cdk/README.md.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_kms as kms
from constructs import Construct

from functions.catalog import LambdaFunction

WEBHOOK_SECRET_FIELD = "webhook_secret"
PREVIOUS_WEBHOOK_SECRET_FIELD = "previous_webhook_secret"
API_KEY_FIELD = "api_key"

#: Function name → {environment variable: JSON field of the payments secret}. The webhook receiver
#: verifies signatures; billing creates checkouts and charges saved methods through the processor's API.
RECIPIENTS: dict[str, dict[str, str]] = {
    "payment_webhooks": {"PAYMENTS_WEBHOOK_SECRET": WEBHOOK_SECRET_FIELD},
    "billing": {"PAYMENTS_API_KEY": API_KEY_FIELD},
}
#: Added to the webhook receiver during a secret rotation (CDK context `payments_webhook_rotation=true`).
ROTATION_VARIABLES = {"PAYMENTS_WEBHOOK_PREVIOUS_SECRET": PREVIOUS_WEBHOOK_SECRET_FIELD}


class PaymentSecrets(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, secret_name: str | None,
                 rotating_webhook_secret: bool) -> None:
        super().__init__(scope, construct_id)
        self._secret_name = secret_name
        self._rotating = rotating_webhook_secret
        # Always there, and always used by the recipients: naming a secret later changes no key.
        self.key = kms.Key(
            self,
            "EnvironmentKey",
            description="Encrypts at rest the environment of functions holding payment processor secrets",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def receives_secrets(self, spec: LambdaFunction) -> bool:
        return spec.name in RECIPIENTS

    def environment_for(self, spec: LambdaFunction) -> dict[str, str]:
        """The dynamic references this function gets; none without a secret (the sandbox processor runs)."""
        if self._secret_name is None or spec.name not in RECIPIENTS:
            return {}
        fields = dict(RECIPIENTS[spec.name])
        if self._rotating and "PAYMENTS_WEBHOOK_SECRET" in fields:
            fields.update(ROTATION_VARIABLES)
        return {
            variable: SecretValue.secrets_manager(self._secret_name, json_field=field).unsafe_unwrap()
            for variable, field in fields.items()
        }
