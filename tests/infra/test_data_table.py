"""The single table: keys, index, TTL, backups and encryption as the storage layer expects them."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import referenced_id

pytestmark = pytest.mark.infra


def _string_keys(*names: str) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]


def test_table_is_keyed_by_pk_and_sk_strings(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": Match.array_with(_string_keys("PK", "SK")),
        },
    )


def test_gsi1_has_every_attribute_and_gsi2_keys_and_the_type_only(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "AttributeDefinitions": Match.array_with(_string_keys("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")),
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "GSI2",
                    "KeySchema": [
                        {"AttributeName": "GSI2PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI2SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["type"]},
                },
            ],
        },
    )


def test_the_local_table_has_the_cloud_tables_indexes(synthesis: Synthesis) -> None:
    """The laptop and the tests create the table with shared/platform/storage/table.py: same indexes."""
    from unittest.mock import patch

    from shared.platform.storage import table

    created: dict = {}
    with patch("shared.platform.aws.client") as client:
        client.return_value.create_table.side_effect = lambda **kwargs: created.update(kwargs)
        table.create_table()
    (_, cloud), = synthesis.of_type("AWS::DynamoDB::Table").items()
    assert created["GlobalSecondaryIndexes"] == cloud["Properties"]["GlobalSecondaryIndexes"]
    assert sorted(map(str, created["AttributeDefinitions"])) == sorted(
        map(str, cloud["Properties"]["AttributeDefinitions"]))


def test_items_expire_through_the_ttl_attribute(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties(
        "AWS::DynamoDB::Table", {"TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}}
    )


def test_table_is_on_demand_with_point_in_time_recovery(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_table_is_encrypted_with_our_own_rotating_kms_key(synthesis: Synthesis) -> None:
    _, table = synthesis.the_one("AWS::DynamoDB::Table")
    sse = table["Properties"]["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    key = synthesis.resources[referenced_id(sse["KMSMasterKeyId"])]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True


def test_table_and_its_key_survive_stack_deletion(synthesis: Synthesis) -> None:
    _, table = synthesis.the_one("AWS::DynamoDB::Table")
    key = synthesis.resources[referenced_id(table["Properties"]["SSESpecification"]["KMSMasterKeyId"])]
    for resource in (table, key):
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True
