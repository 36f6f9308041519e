"""Timeline events in the single table (patterns TL1–TL2).

One partition per contact identifier of a tenant (`TENANT#{tid}#CONTACT#{phone|email|user}:{value}`),
sorted by `EVENT#{iso µs}#{id}`, so one contact's history, newest first, is a single Query. An event
naming several identifiers is written once under each. Phone events also carry the GSI1 contact keys
the DNC rows use, so a DSR export/erase of a number finds them without a scan.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from shared.platform.storage import keys
from shared.platform.storage.table import Gsi1, TableItem
from shared.timeline.models import TimelineContact, TimelineEvent


class _TimelineEventItem(TableItem, discriminator="TimelineEvent"):
    by_contact = Gsi1()
    event_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    at = UTCDateTimeAttribute()
    kind = UnicodeAttribute()
    direction = UnicodeAttribute(null=True)
    workflow_id = UnicodeAttribute(null=True)
    run_id = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(default="")
    payload = JSONAttribute(default=dict)
    contact_phone = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    contact_user_id = UnicodeAttribute(null=True)


def _items(tenant_id: int, event: TimelineEvent) -> list[_TimelineEventItem]:
    sk = keys.timeline_event_sk(event.at, event.id)
    contact = event.contact
    items = []
    for kind, value in contact.identifiers():
        gsi = {"GSI1PK": keys.contact_pk(tenant_id, value), "GSI1SK": sk} if kind == "phone" else {}
        items.append(_TimelineEventItem(
            keys.timeline_pk(tenant_id, kind, value), sk, **gsi, event_id=event.id, tenant_id=tenant_id,
            at=event.at, kind=event.kind, direction=event.direction, workflow_id=event.workflow_id,
            run_id=event.run_id, summary=event.summary, payload=event.payload, contact_phone=contact.phone,
            contact_email=contact.email, contact_user_id=contact.user_id))
    return items


def _event_from(item: _TimelineEventItem) -> TimelineEvent:
    contact = TimelineContact(phone=item.contact_phone, email=item.contact_email, user_id=item.contact_user_id)
    return TimelineEvent(id=item.event_id, tenant_id=item.tenant_id, at=item.at, kind=item.kind,
                         direction=item.direction, workflow_id=item.workflow_id, run_id=item.run_id,
                         summary=item.summary or "", payload=item.payload or {}, contact=contact)


def save(tenant_id: int, event: TimelineEvent) -> None:
    """One event (PutItem per identifier it names; usually one)."""
    for item in _items(tenant_id, event):
        item.save()


def save_many(tenant_id: int, events: list[TimelineEvent]) -> None:
    """Many events: BatchWriteItem, 25 a request (unprocessed items are retried by pynamodb)."""
    with _TimelineEventItem.batch_write() as batch:
        for event in events:
            for item in _items(tenant_id, event):
                batch.save(item)


def newest(tenant_id: int, identifier_kind: str, value: str, *, limit: int,
           before: datetime | None) -> list[TimelineEvent]:
    """Up to `limit` events of one contact, newest first, strictly before `before` when given.

    The partition holds only events, so `SK < EVENT#{before}` needs no lower bound.
    """
    condition = (_TimelineEventItem.SK < keys.timeline_before_sk(before) if before is not None
                 else _TimelineEventItem.SK.startswith(keys.TIMELINE_EVENT_PREFIX))
    query = _TimelineEventItem.query(keys.timeline_pk(tenant_id, identifier_kind, value), condition,
                                     scan_index_forward=False, limit=limit, page_size=limit)
    return [_event_from(item) for item in query]


# --- DSR (data-subject requests): a contact's whole timeline, and deleting events everywhere they are filed -----

def all_events(tenant_id: int, identifier_kind: str, value: str) -> list[TimelineEvent]:
    """Every event of one contact identifier, newest first (Query of its partition, all pages)."""
    query = _TimelineEventItem.query(keys.timeline_pk(tenant_id, identifier_kind, value),
                                     _TimelineEventItem.SK.startswith(keys.TIMELINE_EVENT_PREFIX),
                                     scan_index_forward=False)
    return [_event_from(item) for item in query]


def delete_event(tenant_id: int, event: TimelineEvent) -> int:
    """Delete the event under every identifier it names (one copy each); returns the copies deleted."""
    sk = keys.timeline_event_sk(event.at, event.id)
    copies = event.contact.identifiers()
    with _TimelineEventItem.batch_write() as batch:
        for kind, value in copies:
            batch.delete(_TimelineEventItem(keys.timeline_pk(tenant_id, kind, value), sk))
    return len(copies)
