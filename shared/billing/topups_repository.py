"""Top-up intents (pattern W5–W6): the intent on the tenant's partition, and a lookup item keyed by the
processor's id, so the payment consumer — which knows only that id — finds the tenant with one GetItem."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist

from shared.billing.models import TopupIntent
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, transaction


class _TopupItem(TableItem, discriminator="TopupIntent"):
    intent_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    amount_minor = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    kind = UnicodeAttribute()
    external_id = UnicodeAttribute(null=True)
    checkout_url = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    paid_event_id = UnicodeAttribute(null=True)


class _TopupLookup(TableItem, discriminator="TopupLookup"):
    tenant_id = NumberAttribute()
    intent_id = UnicodeAttribute()


def _intent_of(item: _TopupItem) -> TopupIntent:
    return TopupIntent(intent_id=item.intent_id, tenant_id=item.tenant_id, amount_minor=item.amount_minor,
                       currency=item.currency, status=item.status, kind=item.kind, external_id=item.external_id,
                       checkout_url=item.checkout_url, created_at=item.created_at)


def save_intent(intent: TopupIntent) -> None:
    """The intent and, when the processor gave an id, its lookup item — both or neither."""
    item = _TopupItem(keys.tenant_pk(intent.tenant_id), keys.topup_sk(intent.intent_id),
                      intent_id=intent.intent_id, tenant_id=intent.tenant_id, amount_minor=intent.amount_minor,
                      currency=intent.currency, status=intent.status, kind=intent.kind,
                      external_id=intent.external_id, checkout_url=intent.checkout_url, created_at=intent.created_at)
    with transaction() as tx:
        tx.save(item, condition=_TopupItem.PK.does_not_exist())
        if intent.external_id:
            tx.save(_TopupLookup(keys.topup_external_pk(intent.external_id), keys.TOPUP_EXTERNAL,
                                 tenant_id=intent.tenant_id, intent_id=intent.intent_id),
                    condition=_TopupLookup.PK.does_not_exist())


def find_by_external_id(external_id: str) -> TopupIntent | None:
    try:
        lookup = _TopupLookup.get(keys.topup_external_pk(external_id), keys.TOPUP_EXTERNAL, consistent_read=True)
        item = _TopupItem.get(keys.tenant_pk(lookup.tenant_id), keys.topup_sk(lookup.intent_id), consistent_read=True)
    except DoesNotExist:
        return None
    return _intent_of(item)


def get_intent(tenant_id: int, intent_id: str) -> TopupIntent | None:
    try:
        return _intent_of(_TopupItem.get(keys.tenant_pk(tenant_id), keys.topup_sk(intent_id), consistent_read=True))
    except DoesNotExist:
        return None


def mark_paid_write(intent: TopupIntent, event_id: str):
    """A transaction write (for the wallet credit's transaction): this intent, once, from unpaid to paid."""
    def add(tx) -> None:
        tx.update(_TopupItem(keys.tenant_pk(intent.tenant_id), keys.topup_sk(intent.intent_id)),
                  actions=[_TopupItem.status.set("paid"), _TopupItem.paid_event_id.set(event_id)],
                  condition=_TopupItem.status != "paid")
    return ("intent", add)
