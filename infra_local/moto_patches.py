"""moto shared by many threads of one process: what the laptop stack changes so that holds.

The voice plane runs in the stack's process and reaches moto from its own threads (media tokens, the call, the
brain's effects, the end-of-call record) at the same time as the Lambda runtime, the queue pollers and Step
Functions. moto's backends are plain dicts with no locking: a TransactWriteItems deep-copies the table while
another thread's PutItem changes it, and fails with "dictionary changed size during iteration" (an opt-out's DNC
write was lost that way). AWS serves each request atomically; `serialize_requests` makes moto do the same for the
services whose handlers only touch their own state (DynamoDB, S3): one request at a time per service. The services
that call out or wait (Lambda invoke, Step Functions, SQS long polls) are left alone.

`cheaper_transaction_snapshots` stops TransactWriteItems from deep-copying the whole table each time: in a stack
that has placed a few hundred calls that copy costs a tenth of a second of CPU per transaction, in the very process
whose voice plane must keep up with real time.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

_SERVICE_LOCKS = {"dynamodb": threading.RLock(), "s3": threading.RLock()}
_installed: set[str] = set()


def serialize_requests() -> None:
    """One DynamoDB request at a time, and one S3 request at a time, across every thread of the process."""
    if "serialize" in _installed:
        return
    from moto.core.botocore_stubber import BotocoreStubber

    process_request = BotocoreStubber.process_request

    @functools.wraps(process_request)
    def serialized(stubber: Any, request: Any) -> Any:
        lock = service_lock(request.url)
        if lock is None:
            return process_request(stubber, request)
        with lock:
            return process_request(stubber, request)

    BotocoreStubber.process_request = serialized
    _installed.add("serialize")


def service_lock(url: str) -> threading.RLock | None:
    """The lock of the service a request goes to (by its endpoint's host), or None for a service left alone."""
    labels = urlsplit(url).netloc.lower().split(".")
    if labels[0] == "dynamodb":
        return _SERVICE_LOCKS["dynamodb"]
    if "s3" in labels[:2] or any(label.startswith("s3-") for label in labels[:2]):
        return _SERVICE_LOCKS["s3"]
    return None


def cheaper_transaction_snapshots() -> None:
    """moto deep-copies every table a TransactWriteItems names, to roll back on a failure: each transaction
    costs O(table size) (~0.25 s at a few thousand items, so a 1,000-call run is quadratic); AWS does nothing
    of the kind. Here the snapshot copies the table's structure and deep-copies only the items the transaction
    names (a transaction replaces or changes in place only those), so moto's rollback behaves as before."""
    if "snapshots" in _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    touched = threading.local()
    original_transact = DynamoDBBackend.transact_write_items

    def snapshot(table: Any, memo: dict) -> Any:
        keys = getattr(touched, "keys", None)

        def kept(item: Any, key: tuple) -> Any:
            return copy.deepcopy(item) if keys is None or key in keys else item

        copied = copy.copy(table)
        copied.items = defaultdict(dict)
        for hash_key, stored in table.items.items():
            if table.range_key_attr is None:
                copied.items[hash_key] = kept(stored, (table.name, hash_key, None))
            else:
                copied.items[hash_key] = {range_key: kept(item, (table.name, hash_key, range_key))
                                          for range_key, item in stored.items()}
        return copied

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        keys = set()
        for entry in transact_items:
            _, operation = next(iter(entry.items()))
            table = backend.tables.get(operation.get("TableName"))
            if table is None:
                continue
            attributes = operation.get("Key") or operation.get("Item") or {}
            range_value = attributes.get(table.range_key_attr) if table.range_key_attr else None
            keys.add((table.name, DynamoType(attributes.get(table.hash_key_attr, {"S": ""})),
                      DynamoType(range_value) if range_value else None))
        touched.keys = keys
        try:
            return original_transact(backend, transact_items)
        finally:
            touched.keys = None

    Table.__deepcopy__ = snapshot
    DynamoDBBackend.transact_write_items = transact_write_items
    _installed.add("snapshots")
