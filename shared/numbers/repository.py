"""A tenant's phone numbers in the single table (patterns N1–N4).

Each number is an item on the tenant's partition; a guard item per E.164 (`PHONENUMBER#{e164}`)
is created in the same transaction, so two tenants can never hold one number, and deleted in the
transaction that releases it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from shared.numbers.models import PhoneNumber
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, batch_get, failed_condition_positions, transaction


class _NumberItem(TableItem, discriminator="PhoneNumber"):
    number_id = UnicodeAttribute()
    phone_e164 = UnicodeAttribute()
    country = UnicodeAttribute()
    status = UnicodeAttribute()
    provider = UnicodeAttribute()
    provider_sid = UnicodeAttribute()
    acquired_via = UnicodeAttribute()
    capabilities = ListAttribute(of=UnicodeAttribute, default=list)
    monthly_cost_minor = NumberAttribute()
    currency = UnicodeAttribute()
    voice_url = UnicodeAttribute(null=True)
    status_callback_url = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    released_at = UTCDateTimeAttribute(null=True)


class _NumberGuardItem(TableItem, discriminator="PhoneNumberGuard"):
    tenant_id = NumberAttribute()
    number_id = UnicodeAttribute()


def _number_from(item: _NumberItem) -> PhoneNumber:
    return PhoneNumber(id=item.number_id, phone_e164=item.phone_e164, country=item.country, status=item.status,
                       provider=item.provider, provider_sid=item.provider_sid, acquired_via=item.acquired_via,
                       capabilities=list(item.capabilities or []), monthly_cost_minor=item.monthly_cost_minor,
                       currency=item.currency, voice_url=item.voice_url, status_callback_url=item.status_callback_url,
                       created_at=item.created_at, released_at=item.released_at)


def create(tenant_id: int, number: PhoneNumber) -> None:
    """The number and its guard, or neither: Conflict when another holder already has the E.164."""
    item = _NumberItem(keys.tenant_pk(tenant_id), keys.number_sk(number.id), number_id=number.id,
                       phone_e164=number.phone_e164, country=number.country, status=number.status,
                       provider=number.provider, provider_sid=number.provider_sid, acquired_via=number.acquired_via,
                       capabilities=number.capabilities, monthly_cost_minor=number.monthly_cost_minor,
                       currency=number.currency, voice_url=number.voice_url,
                       status_callback_url=number.status_callback_url, created_at=number.created_at)
    guard = _NumberGuardItem(keys.number_guard_pk(number.phone_e164), keys.NUMBER_GUARD, tenant_id=tenant_id,
                             number_id=number.id)
    try:
        with transaction() as write:
            write.save(guard, condition=_NumberGuardItem.PK.does_not_exist())
            write.save(item, condition=_NumberItem.PK.does_not_exist())
    except TransactWriteError as error:
        if failed_condition_positions(error):
            raise Conflict("That number is already held by a workspace", code="NUMBER_ALREADY_HELD",
                           field="phone_e164") from error
        raise


def find(tenant_id: int, number_id: str) -> PhoneNumber | None:
    try:
        return _number_from(_NumberItem.get(keys.tenant_pk(tenant_id), keys.number_sk(number_id),
                                            consistent_read=True))
    except DoesNotExist:
        return None


def list_for_tenant(tenant_id: int) -> list[PhoneNumber]:
    """Oldest first (ids are time-ordered)."""
    items = _NumberItem.query(keys.tenant_pk(tenant_id), _NumberItem.SK.startswith(keys.NUMBER_PREFIX))
    return [_number_from(item) for item in items]


def holders(e164s: Iterable[str]) -> dict[str, int]:
    """Which of these numbers are held, and by which tenant (one BatchGetItem per 100 numbers)."""
    raw = batch_get(_NumberGuardItem, [(keys.number_guard_pk(e164), keys.NUMBER_GUARD) for e164 in e164s],
                    consistent=True)
    prefix = keys.number_guard_pk("")
    return {item["PK"]["S"].removeprefix(prefix): int(item["tenant_id"]["N"]) for item in raw}


def mark_released(tenant_id: int, number_id: str, phone_e164: str, released_at: datetime) -> bool:
    """Status released, webhooks cleared, guard removed — at once. False if it was released already."""
    item = _NumberItem(keys.tenant_pk(tenant_id), keys.number_sk(number_id))
    guard = _NumberGuardItem(keys.number_guard_pk(phone_e164), keys.NUMBER_GUARD)
    try:
        with transaction() as write:
            write.update(item, actions=[_NumberItem.status.set("released"), _NumberItem.released_at.set(released_at),
                                        _NumberItem.voice_url.remove(), _NumberItem.status_callback_url.remove()],
                         condition=_NumberItem.status == "active")
            # Never another holder's guard; a guard already gone is fine.
            write.delete(guard, condition=_NumberGuardItem.PK.does_not_exist()
                         | ((_NumberGuardItem.tenant_id == tenant_id) & (_NumberGuardItem.number_id == number_id)))
    except TransactWriteError as error:
        if 0 in failed_condition_positions(error):
            return False
        raise
    return True
