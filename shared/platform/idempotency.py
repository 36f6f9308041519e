"""Idempotency-Key for POST routes: the same key and body replay the first response.

One record per tenant + route + key (the key is stored hashed), kept for the window (24 h, with TTL):
- a conditional put of an "in progress" record claims the key before the work runs;
- same key + same body afterwards → the stored status and response;
- same key + another body → 422 IDEMPOTENCY_KEY_REUSED; still running → 409 IDEMPOTENCY_KEY_IN_FLIGHT.
Failures (any raised error) release the claim, so the client may retry with the same key. An in-progress
claim older than its lease (a crashed run) can be taken over.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from shared.platform import clock
from shared.platform.errors import BadRequest, Conflict, Invalid
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
WINDOW_SECONDS = 24 * 3600
LEASE_SECONDS = 60  # longer than any route's run (API Gateway stops at 29 s)


class _IdempotencyRecord(TableItem, discriminator="IdempotencyRecord"):
    state = UnicodeAttribute()  # "in_progress" | "done"
    request_hash = UnicodeAttribute()
    lease_until = NumberAttribute()
    status_code = NumberAttribute(null=True)
    response = UnicodeAttribute(null=True)  # JSON


def idempotent(principal_or_tenant_id: Any, route_key: str, idempotency_key: str | None,
               request_body: bytes | dict | None, compute: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Run `compute` once per key; return (status, body) — the first run's on a replay."""
    if idempotency_key is None:
        return compute()
    _check_key(idempotency_key)
    tenant_id = getattr(principal_or_tenant_id, "tenant_id", principal_or_tenant_id)
    key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest()
    record = _IdempotencyRecord(keys.idempotency_pk(int(tenant_id), route_key, key_hash), keys.IDEMPOTENCY)
    request_hash = _hash(request_body)
    now = clock.epoch_seconds()
    record.state, record.request_hash, record.lease_until = "in_progress", request_hash, now + LEASE_SECONDS
    record.ttl = now + WINDOW_SECONDS
    claimable = (_IdempotencyRecord.PK.does_not_exist() | (_IdempotencyRecord.ttl < now)
                 | ((_IdempotencyRecord.state == "in_progress") & (_IdempotencyRecord.lease_until < now)
                    & (_IdempotencyRecord.request_hash == request_hash)))
    try:
        record.save(condition=claimable)
    except PutError as error:
        if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        return _replay(record, request_hash)
    try:
        status, body = compute()
    except BaseException:
        with suppress(DeleteError):  # only our own claim: a takeover after the lease is left alone
            record.delete(condition=_IdempotencyRecord.lease_until == record.lease_until)
        raise
    record.state, record.status_code, record.response = "done", status, json.dumps(body, default=str)
    record.save()
    return status, body


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise BadRequest(f"{HEADER} must be 1..{MAX_KEY_LENGTH} printable ASCII characters",
                         code="INVALID_IDEMPOTENCY_KEY", field=HEADER)


def _hash(body: bytes | dict | None) -> str:
    if isinstance(body, dict):
        body = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(body or b"").hexdigest()


def _replay(record: _IdempotencyRecord, request_hash: str) -> tuple[int, dict]:
    try:
        stored = _IdempotencyRecord.get(record.PK, record.SK, consistent_read=True)
    except DoesNotExist:  # the first run failed and let go meanwhile: the client may simply retry
        raise Conflict("A request with this Idempotency-Key just failed; retry it",
                       code="IDEMPOTENCY_KEY_IN_FLIGHT", field=HEADER) from None
    if stored.request_hash != request_hash:
        raise Invalid("This Idempotency-Key was used with a different request body",
                      code="IDEMPOTENCY_KEY_REUSED", field=HEADER)
    if stored.state != "done":
        raise Conflict("A request with this Idempotency-Key is still in progress",
                       code="IDEMPOTENCY_KEY_IN_FLIGHT", field=HEADER)
    return int(stored.status_code), json.loads(stored.response)
