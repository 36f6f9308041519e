"""The customer-managed KMS key of the queues whose messages carry tenants' data on its way out to third parties
(`QueueTrigger.customer_managed_key`: the webhook events and deliveries), instead of SQS-managed keys: ops control,
audit (CloudTrail) and can revoke its use. Senders get GenerateDataKey + Decrypt on it with their send grant; a
consumer's event source mapping gets Decrypt from CDK with its receive grant.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct


class QueueKey(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Retained like the queues it encrypts: messages in flight (and in the DLQs) must stay readable.
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the webhook queues: tenants' events on their way to the tenants' endpoints",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
