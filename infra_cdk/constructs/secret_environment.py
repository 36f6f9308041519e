"""Fields of a Secrets Manager secret as environment variables of the functions that need them.

The code reads its settings from the environment only, so secrets become environment variables, but they never sit
in the template: ops keep them in a secret of their own and name it in CDK context; each variable is a
CloudFormation dynamic reference (`{{resolve:secretsmanager:...}}`) resolved at deploy time, so no function role reads
the secret. At rest the variables are encrypted with the customer-managed key of the construct, which is always
there (naming a secret later changes no key). The payment processor's and the Slack app's secrets are two of these.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_kms as kms
from constructs import Construct

from functions.catalog import LambdaFunction


class SecretEnvironment(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, secret_name: str | None,
                 recipients: Mapping[str, Mapping[str, str]], key_description: str) -> None:
        """`recipients`: function name → {environment variable: JSON field of the secret}."""
        super().__init__(scope, construct_id)
        self._secret_name = secret_name
        self._recipients = recipients
        self.key = kms.Key(self, "EnvironmentKey", description=key_description, enable_key_rotation=True,
                           removal_policy=RemovalPolicy.RETAIN)

    def receives_secrets(self, spec: LambdaFunction) -> bool:
        return spec.name in self._recipients

    def fields_for(self, spec: LambdaFunction) -> dict[str, str]:
        """{environment variable: JSON field} of one recipient."""
        return dict(self._recipients[spec.name])

    def environment_for(self, spec: LambdaFunction) -> dict[str, str]:
        """The dynamic references this function gets; none without a secret, or for a function that is no recipient."""
        if self._secret_name is None or spec.name not in self._recipients:
            return {}
        return {variable: SecretValue.secrets_manager(self._secret_name, json_field=field).unsafe_unwrap()
                for variable, field in self.fields_for(spec).items()}
