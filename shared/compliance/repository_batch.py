"""Batched key lookups for compliance screening (with `shared.platform.storage.table.batch_get`).

Screening an upload asks "which of these keys exist?" for thousands of keys; reading raw items with a
projection (no pynamodb model per item) keeps that cheap in CPU as well as in requests.
"""

from __future__ import annotations

from shared.platform.storage.table import BATCH_GET_LIMIT, TableItem


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
