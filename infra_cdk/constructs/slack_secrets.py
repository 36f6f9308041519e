"""The Slack app's credentials, in the environment of the two functions that need them.

Like the payment secrets (constructs/secret_environment.py): ops keep them in a Secrets Manager secret of their own
(JSON fields below) and name it in CDK context `slack_secret_name`; each variable is a CloudFormation dynamic
reference resolved at deploy time, so no value sits in the template and no function role reads the secret. At
rest the variables are encrypted with the customer-managed key of this construct. Without a secret, "Add to
Slack" answers 503 SLACK_NOT_CONFIGURED and tenants decide approvals through the API. See infra_cdk/README.md.
"""

from __future__ import annotations

from constructs import Construct

from infra_cdk.constructs.secret_environment import SecretEnvironment

CLIENT_ID_FIELD = "client_id"
CLIENT_SECRET_FIELD = "client_secret"
SIGNING_SECRET_FIELD = "signing_secret"

#: Function name → {environment variable: JSON field of the Slack secret}. `integrations` runs "Add to Slack"
#: (OAuth v2: the app's id and secret); `slack_interactivity` verifies the v0 signature of button clicks.
RECIPIENTS: dict[str, dict[str, str]] = {
    "integrations": {"SLACK_CLIENT_ID": CLIENT_ID_FIELD, "SLACK_CLIENT_SECRET": CLIENT_SECRET_FIELD},
    "slack_interactivity": {"SLACK_SIGNING_SECRET": SIGNING_SECRET_FIELD},
}


class SlackSecrets(SecretEnvironment):
    def __init__(self, scope: Construct, construct_id: str, *, secret_name: str | None) -> None:
        super().__init__(scope, construct_id, secret_name=secret_name, recipients=RECIPIENTS,
                         key_description="Encrypts at rest the environment of functions holding the Slack app's "
                                         "credentials")
