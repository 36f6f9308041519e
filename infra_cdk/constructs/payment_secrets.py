"""The payment processor's secrets, in the environment of the two functions that need them.

Ops keep them in a Secrets Manager secret of their own (JSON fields below) and name it in CDK context
`payments_secret_name` (constructs/secret_environment.py: dynamic references, never values, in the template). The
sandbox processor runs without one. See infra_cdk/README.md.
"""

from __future__ import annotations

from constructs import Construct

from functions.catalog import LambdaFunction
from infra_cdk.constructs.secret_environment import SecretEnvironment

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


class PaymentSecrets(SecretEnvironment):
    def __init__(self, scope: Construct, construct_id: str, *, secret_name: str | None,
                 rotating_webhook_secret: bool) -> None:
        super().__init__(scope, construct_id, secret_name=secret_name, recipients=RECIPIENTS,
                         key_description="Encrypts at rest the environment of functions holding payment processor "
                                         "secrets")
        self._rotating = rotating_webhook_secret

    def fields_for(self, spec: LambdaFunction) -> dict[str, str]:
        fields = super().fields_for(spec)
        if self._rotating and "PAYMENTS_WEBHOOK_SECRET" in fields:
            fields.update(ROTATION_VARIABLES)
        return fields
