"""The single table's base model.

pynamodb models are private to each domain's `repository.py`; they all subclass `TableItem`, which
binds the table name and region from settings on first use (never at import time) and carries the
generic keys, the GSI and the `type` discriminator.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import lru_cache

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from shared.platform.settings import get_settings

GSI1_NAME = "GSI1"
GSI2_NAME = "GSI2"
GSI2_PROJECTED = ["type"]


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = GSI1_NAME
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    """The second overloaded index (today: calls by status, pattern CL4). Keys and the `type` discriminator
    only (pynamodb filters every query on it): a listing reads the items it pages through with one
    BatchGetItem, so the index is not rewritten each time a call's transcript grows."""

    class Meta:
        index_name = GSI2_NAME
        projection = IncludeProjection(GSI2_PROJECTED)

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class TableItem(Model):
    class Meta:
        table_name = "callfunnel"  # replaced from settings on first use
        region = "us-east-1"
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 2

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)

    @classmethod
    def _get_connection(cls):
        if cls._connection is None:
            settings = get_settings()
            cls.Meta.table_name = settings.table_name
            cls.Meta.region = settings.aws_region
        return super()._get_connection()


def reset_connections() -> None:
    """Drop cached connections so the next call rebinds from settings (tests, local stack)."""
    _transaction_connection.cache_clear()
    pending = [TableItem]
    while pending:
        model = pending.pop()
        model._connection = None
        pending.extend(model.__subclasses__())


def create_table() -> None:
    """Create the table as the cloud stack defines it (local stack and tests)."""
    from shared.platform.aws import client

    settings = get_settings()
    ddb = client("dynamodb")
    ddb.create_table(
        TableName=settings.table_name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
        ],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": GSI1_NAME,
            "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                          {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }, {
            "IndexName": GSI2_NAME,
            "KeySchema": [{"AttributeName": "GSI2PK", "KeyType": "HASH"},
                          {"AttributeName": "GSI2SK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": GSI2_PROJECTED},
        }],
    )
    ddb.update_time_to_live(TableName=settings.table_name,
                            TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})


@lru_cache(maxsize=1)
def _transaction_connection():
    # Its own connection: binding TableItem itself would hand its connection (and its index-less
    # table metadata) down to every model class that has not connected yet.
    from pynamodb.connection import Connection

    meta = TableItem.Meta
    return Connection(region=get_settings().aws_region, connect_timeout_seconds=meta.connect_timeout_seconds,
                      read_timeout_seconds=meta.read_timeout_seconds, max_retry_attempts=meta.max_retry_attempts)


def transaction():
    """A TransactWriteItems context (pynamodb's TransactWrite) on a per-container connection."""
    from pynamodb.transactions import TransactWrite

    return TransactWrite(connection=_transaction_connection())


def condition_failed(error: Exception) -> bool:
    """Whether a single write (PutError, UpdateError, DeleteError) failed only because its condition did not hold."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def failed_condition_positions(error: Exception) -> list[int]:
    """Positions of the writes whose condition failed in a cancelled transaction."""
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [index for index, reason in enumerate(reasons) if reason and reason.code == "ConditionalCheckFailed"]


BATCH_GET_LIMIT = 100
_MAX_UNPROCESSED_ROUNDS = 8


def batch_get(model: type[TableItem], keys: Iterable[tuple[str, str]], *, attributes: list[str] | None = None,
              consistent: bool = False) -> list[dict]:
    """Raw DynamoDB items (`{"PK": {"S": ...}, ...}`) for those (PK, SK) keys that exist, in any order:
    BatchGetItem, 100 keys a request, unprocessed keys retried with backoff.

    `model` (a private item class of the caller) only lends its connection — never pass `TableItem`
    itself, whose connection every unbound model class would inherit. Items of any type come back;
    read them with the owning model's `from_raw_data`.
    """
    connection = model._get_connection()
    table = connection.table_name
    unique = list(dict.fromkeys(keys))
    found: list[dict] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        pending = [{"PK": pk, "SK": sk} for pk, sk in unique[start:start + BATCH_GET_LIMIT]]
        for attempt in range(_MAX_UNPROCESSED_ROUNDS):
            response = connection.batch_get_item(pending, consistent_read=consistent or None,
                                                 attributes_to_get=attributes)
            found += response.get("Responses", {}).get(table, [])
            unprocessed = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not unprocessed:
                break
            pending = [{"PK": key["PK"]["S"], "SK": key["SK"]["S"]} for key in unprocessed]
            time.sleep(min(0.05 * 2 ** attempt, 1.0))  # throttled: back off before the leftovers
        else:
            raise RuntimeError("BatchGetItem left keys unprocessed after retries")
    return found


def item_type(raw: dict) -> str | None:
    """The discriminator of a raw item."""
    return raw.get("type", {}).get("S")
