"""The customer-managed key of the platform's own data at rest: log groups, function environments and
the JWT signing and media-stream secrets (instead of AWS-managed keys, so ops control, audit and can revoke its
use).

CloudWatch Logs may use it only for this account's log groups in this region (encryption context
`aws:logs:arn`); Lambda decrypts environments through the grant it creates when a function is deployed;
Secrets Manager uses it on behalf of those secrets' readers only (their grant names `kms:ViaService`).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

#: What CloudWatch Logs needs on a log group's key, named (no wildcards in our policies).
LOG_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
               "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]


class PlatformKey(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # Retained: deleting it would make the retained log groups and secret versions unreadable.
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts CallFunnel's log groups, function environments and JWT signing secret",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=LOG_ACTIONS,
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                    service="logs", resource="log-group", resource_name="*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )}},
            )
        )

