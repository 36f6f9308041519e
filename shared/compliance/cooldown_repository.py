"""The 7-day cool-down: the last call attempt by a tenant to a number (patterns CD1–CD2).

One item per (tenant, number) in the tenant's cool-down partition, stamped by the dialer on every
attempt and expiring through TTL. TTL deletes lazily (up to days late), so a lookup compares
`last_attempt_at` with the window instead of trusting that an item exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from shared.compliance.repository_batch import BATCH_GET_LIMIT, requests_for, small_partition
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, batch_get

COOLDOWN = timedelta(days=7)


class _CallAttemptItem(TableItem, discriminator="LastCallAttempt"):
    phone_e164 = UnicodeAttribute()
    last_attempt_at = NumberAttribute()  # epoch seconds: compared in screening without parsing


def record_call_attempt(tenant_id: int, e164: str, at: datetime) -> None:
    """Stamp an attempt; an older attempt reported late never moves the stamp back."""
    epoch = int(at.timestamp())
    item = _CallAttemptItem(keys.cooldown_pk(tenant_id), keys.cooldown_sk(e164), phone_e164=e164,
                            last_attempt_at=epoch, ttl=epoch + int(COOLDOWN.total_seconds()))
    newer = _CallAttemptItem.last_attempt_at.does_not_exist() | (_CallAttemptItem.last_attempt_at < epoch)
    try:
        item.save(condition=newer)
    except PutError as error:
        if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def numbers_in_cooldown(tenant_id: int, e164s: Iterable[str], now: datetime) -> set[str]:
    """Which of these numbers the tenant attempted within the last 7 days.

    Like DNC screening: one Query of the tenant's (usually small) cool-down partition when cheaper,
    else BatchGetItem, 100 a request.
    """
    pk, wanted = keys.cooldown_pk(tenant_id), list(dict.fromkeys(e164s))
    since = int((now - COOLDOWN).timestamp())
    attributes = ["SK", "last_attempt_at"]
    found = None
    if len(wanted) > BATCH_GET_LIMIT:
        found = small_partition(_CallAttemptItem, pk, keys.COOLDOWN_PREFIX, attributes, requests_for(len(wanted)) // 2)
    if found is None:
        found = batch_get(_CallAttemptItem, ((pk, keys.cooldown_sk(e164)) for e164 in wanted), attributes=attributes)
    recent = {raw["SK"]["S"].removeprefix(keys.COOLDOWN_PREFIX) for raw in found
              if int(raw["last_attempt_at"]["N"]) > since}
    return {e164 for e164 in wanted if e164 in recent}


# --- DSR (data-subject requests): read and forget one number's stamp ------------------------------------------

def last_attempt_epoch(tenant_id: int, e164: str) -> int | None:
    """The stamp of the tenant's last attempt to this number (epoch seconds), or None."""
    found = batch_get(_CallAttemptItem, [(keys.cooldown_pk(tenant_id), keys.cooldown_sk(e164))],
                      attributes=["last_attempt_at"], consistent=True)
    return int(found[0]["last_attempt_at"]["N"]) if found else None


def forget_attempts(tenant_id: int, e164: str) -> bool:
    """Delete the number's stamp (its key spells the number); True when there was one."""
    existed = last_attempt_epoch(tenant_id, e164) is not None
    if existed:
        _CallAttemptItem(keys.cooldown_pk(tenant_id), keys.cooldown_sk(e164)).delete()
    return existed
