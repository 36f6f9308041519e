"""Rate-limit buckets in the single table: one item per bucket, one conditional UpdateItem per request.

Item: `PK=RATELIMIT#{tenant}`, `SK=BUCKET`, type `RateLimitBucket`, `tat` (epoch ms), optionally a
tenant's own `limit_per_second` / `limit_burst`; it never lapses (it may carry the tenant's limits). The two
writes are the two halves of max(tat, now) + interval (see `shared.platform.rate_limits`); both ask DynamoDB for the old
item when their condition fails, so the caller learns the bucket's state without a second read. pynamodb
has no ReturnValuesOnConditionCheckFailure, so this uses the botocore client of the table's connection.
"""

from __future__ import annotations

from typing import Any

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem

SORT_KEY = keys.RATE_LIMIT_BUCKET
ITEM_TYPE = "RateLimitBucket"


class _RateLimitBucket(TableItem, discriminator=ITEM_TYPE):
    """Only lends its connection; the item is written with raw expressions below."""


def add_interval(bucket_key: str, *, now: int, interval_ms: int,
                 tolerance_ms: int) -> tuple[bool, int | None, dict[str, Any]]:
    """tat += interval, if now ≤ tat ≤ now + tolerance. → (written, tat after or before, attributes)."""
    return _update(bucket_key, "tat = tat + :interval", "tat BETWEEN :now AND :ceiling",
                   {":interval": interval_ms, ":now": now, ":ceiling": now + tolerance_ms})


def start_full(bucket_key: str, *, now: int, interval_ms: int,
               tolerance_ms: int) -> tuple[bool, int | None, dict[str, Any]]:
    """tat = now + interval, if the bucket is new or full (tat < now)."""
    return _update(bucket_key, "tat = :next", "attribute_not_exists(tat) OR tat < :now",
                   {":next": now + interval_ms, ":now": now})


def set_limit(bucket_key: str, limit: tuple[float, int] | None) -> None:
    """A tenant's own (per second, burst), kept on its bucket item; None removes it."""
    connection = _RateLimitBucket._get_connection()
    names = {"#type": "type"}
    if limit is None:
        expression, values = "SET #type = :type REMOVE limit_per_second, limit_burst", {":type": ITEM_TYPE}
    else:
        expression = "SET #type = :type, limit_per_second = :rate, limit_burst = :burst"
        values = {":type": ITEM_TYPE, ":rate": limit[0], ":burst": limit[1]}
    connection.connection.client.update_item(
        TableName=connection.table_name, Key=_key(bucket_key), UpdateExpression=expression,
        ExpressionAttributeNames=names, ExpressionAttributeValues=_typed(values))


def limit_on_item(attributes: dict[str, Any]) -> tuple[float, int] | None:
    """A tenant's own limits, when its bucket item carries them."""
    if attributes.get("limit_per_second") is None or attributes.get("limit_burst") is None:
        return None
    return float(attributes["limit_per_second"]), int(attributes["limit_burst"])


def _update(bucket_key: str, assignment: str, condition: str,
            values: dict[str, Any]) -> tuple[bool, int | None, dict[str, Any]]:
    from botocore.exceptions import ClientError

    connection = _RateLimitBucket._get_connection()
    names = {"#type": "type"}
    expression = f"SET {assignment}, #type = :type"
    values = {**values, ":type": ITEM_TYPE}
    try:
        response = connection.connection.client.update_item(
            TableName=connection.table_name, Key=_key(bucket_key), UpdateExpression=expression,
            ConditionExpression=condition, ExpressionAttributeNames=names,
            ExpressionAttributeValues=_typed(values), ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        old = _plain(error.response.get("Item") or {})
        return False, _tat(old), old
    new = _plain(response.get("Attributes") or {})
    return True, _tat(new), new


def _key(bucket_key: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": bucket_key}, "SK": {"S": SORT_KEY}}


def _typed(values: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {name: {"S": value} if isinstance(value, str) else {"N": str(value)} for name, value in values.items()}


def _plain(item: dict[str, dict[str, str]]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for name, value in item.items():
        if "N" in value:
            plain[name] = float(value["N"]) if "." in value["N"] else int(value["N"])
        elif "S" in value:
            plain[name] = value["S"]
    return plain


def _tat(attributes: dict[str, Any]) -> int | None:
    tat = attributes.get("tat")
    return None if tat is None else int(tat)
