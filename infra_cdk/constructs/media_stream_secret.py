"""The key that signs media-stream tokens (shared/calls/media_tokens.py): the voice webhook mints with it, the voice
plane verifies with it. A secret of its own, so neither needs the JWT signing secret (which would let a carrier
webhook or a voice-plane task forge user sessions); functions with `Permission.READ_MEDIA_STREAM_SECRET` may read it.
"""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra_cdk.nag import acknowledge

DESCRIPTION = "HMAC key of CallFunnel's media-stream tokens (voice webhook → voice plane)"


class MediaStreamSecret(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, encryption_key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description=DESCRIPTION,
            encryption_key=encryption_key,  # the platform key, like the JWT secret: ours to audit and revoke
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
        acknowledge(
            self,
            "AwsSolutions-SMG4",
            "Tokens live 60 s at most, but warm functions and running voice-plane tasks cache the key: a rotation "
            "needs a two-key overlap the token check does not have yet, so it is a planned manual operation.",
        )
