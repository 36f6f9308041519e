"""The KMS key that envelope-encrypts tenants' own secrets: BYOK provider credentials and the signing secrets of their
webhook endpoints.

Functions with `Permission.CREDENTIALS_KEY` may generate data keys and decrypt them, and only with an
encryption context naming the tenant (`tenant_id`): a ciphertext is bound to its tenant, and a call
without the context is refused by IAM before KMS looks at it.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

ALIAS = "alias/callfunnel/credentials"
#: The encryption-context key every call must carry (shared/onboarding uses the tenant id under it).
TENANT_CONTEXT_KEY = "tenant_id"


class CredentialsKey(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Retained: deleting it would make every stored BYOK secret undecryptable.
        self.key = kms.Key(
            self,
            "Key",
            description="Envelope-encrypts tenants' BYOK provider credentials and webhook signing secrets "
                        "(context: tenant_id)",
            enable_key_rotation=True,
            alias=ALIAS,
            removal_policy=RemovalPolicy.RETAIN,
        )
