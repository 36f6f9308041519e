"""Batched key lookups for compliance screening: BatchGetItem, 100 keys a request.

Screening an upload asks "which of these keys exist?" for thousands of keys; reading raw items with a
projection (no pynamodb model per item) keeps that cheap in CPU as well as in requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from shared.platform.storage.table import TableItem

BATCH_GET_LIMIT = 100
_MAX_UNPROCESSED_ROUNDS = 8


def batch_get_raw(model: type[TableItem], keys: Iterable[tuple[str, str]], attributes: list[str]) -> list[dict]:
    """Raw DynamoDB items (`{"PK": {"S": ...}, ...}`) for those (PK, SK) keys that exist, in any order.

    `model` (a private item class of the caller) only lends its connection: never bind `TableItem`
    itself, whose connection every unbound model class would inherit. Eventually consistent
    (screening tolerates a second's lag; `GET /dnc/check` reads the same way).
    """
    connection = model._get_connection()
    table = connection.table_name
    unique = list(dict.fromkeys(keys))
    found: list[dict] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        pending = [{"PK": pk, "SK": sk} for pk, sk in unique[start:start + BATCH_GET_LIMIT]]
        for attempt in range(_MAX_UNPROCESSED_ROUNDS):
            response = connection.batch_get_item(pending, attributes_to_get=attributes)
            found += response.get("Responses", {}).get(table, [])
            unprocessed = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not unprocessed:
                break
            pending = [{"PK": key["PK"]["S"], "SK": key["SK"]["S"]} for key in unprocessed]
            time.sleep(min(0.05 * 2 ** attempt, 1.0))  # throttled: back off before the leftovers
        else:
            raise RuntimeError("BatchGetItem left keys unprocessed after retries")
    return found


def key_of(raw: dict) -> tuple[str, str]:
    return raw["PK"]["S"], raw["SK"]["S"]


def small_partition(model: type[TableItem], pk: str, sk_prefix: str, attributes: list[str],
                    max_requests: int) -> list[dict] | None:
    """Every item of a partition (raw, projected) if it can be read in ≤ `max_requests` Query pages.

    A tenant's DNC list or cool-down partition is usually far smaller than an upload: one Query page
    (1 MB, thousands of keys) then answers for every number, where BatchGetItem would need one request
    per 100 numbers. None when the partition is too big to be the cheaper way (then batch-get instead).
    """
    connection = model._get_connection()
    condition = model.SK.startswith(sk_prefix)
    items: list[dict] = []
    start_key = None
    for _ in range(max_requests):
        page = connection.query(pk, range_key_condition=condition, attributes_to_get=attributes,
                                exclusive_start_key=start_key)
        items += page.get("Items", [])
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return items
    return None


def requests_for(keys_count: int) -> int:
    """BatchGetItem requests needed for that many keys."""
    return -(-keys_count // BATCH_GET_LIMIT)
