"""The secret that signs session JWTs; functions with `Permission.READ_JWT_SECRET` may read it."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra_cdk.nag import acknowledge


class JwtSigningSecret(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, encryption_key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description="HS256 signing key of CallFunnel session tokens",
            # Our key, not the AWS-managed aws/secretsmanager: its use is ours to audit and revoke.
            encryption_key=encryption_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        acknowledge(
            self,
            "AwsSolutions-SMG4",
            "Rotating the JWT signing key signs every user out and needs a two-key overlap the auth "
            "code does not have yet; rotation is a planned manual operation, not a schedule.",
        )
