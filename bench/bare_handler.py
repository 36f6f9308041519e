"""The baseline of the warm-request benchmark: a bare Lambda doing one DynamoDB GetItem, no framework."""

from __future__ import annotations

import json
import os

import boto3

_table = None


def lambda_handler(event, context):
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb", region_name=os.environ["AWS_REGION"]).Table(os.environ["TABLE_NAME"])
    tenant_id = event["queryStringParameters"]["tenant_id"]
    item = _table.get_item(Key={"PK": f"TENANT#{tenant_id}", "SK": "WALLET"})["Item"]
    body = {"tenant_id": int(tenant_id), "balance_minor": int(item["balance_minor"])}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}
