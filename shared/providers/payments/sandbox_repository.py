"""The sandbox processor's pending checkouts in the single table (pattern SBX1–SBX2).

Keyed by the processor's id, like a real processor's own records: the checkout page knows only that id.
Items expire a week after creation (a sandbox checkout nobody paid is just forgotten).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem

TTL_SECONDS = 7 * 24 * 3600
PENDING = "pending"


@dataclass(frozen=True)
class SandboxCheckout:
    external_id: str
    intent_id: str
    tenant_id: int
    amount_minor: int
    currency: str
    return_url: str | None
    status: str  # pending | succeeded | failed
    created_at: datetime


class _SandboxCheckoutItem(TableItem, discriminator="SandboxCheckout"):
    external_id = UnicodeAttribute()
    intent_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    amount_minor = NumberAttribute()
    currency = UnicodeAttribute()
    return_url = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


def _from(item: _SandboxCheckoutItem) -> SandboxCheckout:
    return SandboxCheckout(item.external_id, item.intent_id, item.tenant_id, item.amount_minor, item.currency,
                           item.return_url, item.status, item.created_at)


def save(checkout: SandboxCheckout) -> None:
    _SandboxCheckoutItem(
        keys.sandbox_checkout_pk(checkout.external_id), keys.SANDBOX_CHECKOUT,
        external_id=checkout.external_id, intent_id=checkout.intent_id, tenant_id=checkout.tenant_id,
        amount_minor=checkout.amount_minor, currency=checkout.currency, return_url=checkout.return_url,
        status=checkout.status, created_at=checkout.created_at,
        ttl=int(checkout.created_at.timestamp()) + TTL_SECONDS,
    ).save(condition=_SandboxCheckoutItem.PK.does_not_exist())


def find(external_id: str) -> SandboxCheckout | None:
    try:
        item = _SandboxCheckoutItem.get(keys.sandbox_checkout_pk(external_id), keys.SANDBOX_CHECKOUT,
                                        consistent_read=True)
    except DoesNotExist:
        return None
    return _from(item)


def finish(external_id: str, status: str) -> bool:
    """Move a pending checkout to `status`; False when it was already finished (paid only once)."""
    item = _SandboxCheckoutItem(keys.sandbox_checkout_pk(external_id), keys.SANDBOX_CHECKOUT)
    try:
        item.update(actions=[_SandboxCheckoutItem.status.set(status)],
                    condition=_SandboxCheckoutItem.status == PENDING)
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True
