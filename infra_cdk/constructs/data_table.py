"""The single DynamoDB table (see shared/platform/storage/ACCESS_PATTERNS.md) and the key that encrypts it."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

GSI1 = "GSI1"
GSI2 = "GSI2"
#: GSI2 holds keys and the discriminator only (shared/platform/storage/table.py: Gsi2).
GSI2_PROJECTED = ["type"]
TTL_ATTRIBUTE = "ttl"


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class DataTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the CallFunnel data table",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Tenant data: survives a stack deletion and cannot be deleted by accident.
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key("PK"),
            sort_key=_string_key("SK"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table.add_global_secondary_index(
            index_name=GSI1,
            partition_key=_string_key("GSI1PK"),
            sort_key=_string_key("GSI1SK"),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # One index added per deploy: CloudFormation cannot create two GSIs in one table update.
        self.table.add_global_secondary_index(
            index_name=GSI2,
            partition_key=_string_key("GSI2PK"),
            sort_key=_string_key("GSI2SK"),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=GSI2_PROJECTED,
        )

    @property
    def index_arns(self) -> list[str]:
        """Each index by name, so read grants need no `index/*` wildcard."""
        return [f"{self.table.table_arn}/index/{name}" for name in (GSI1, GSI2)]
