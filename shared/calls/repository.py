"""Calls on the tenant's partition (`CALL#{call_id}`, pattern CL1), and the guard items that make call
events idempotent on (call, status) (pattern CL2).

The dialer step and the final status event can race; both write with one UpdateItem returning the item
as it is afterwards, so whichever writes second sees the other's half (the task token, or the next step)
and releases the waiting dialer step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from shared.calls.models import Call
from shared.platform.storage import keys
from shared.platform.storage.table import Gsi1, TableItem, condition_failed

GUARD_TTL = timedelta(days=30)


class _CallItem(TableItem, discriminator="Call"):
    call_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    workflow_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    segment = NumberAttribute()
    target_phone = UnicodeAttribute()
    attempt = NumberAttribute()
    is_test = BooleanAttribute(default=False)
    status = UnicodeAttribute()
    provider = UnicodeAttribute(null=True)
    provider_call_sid = UnicodeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    transcript = JSONAttribute(default=list)
    silences = NumberAttribute(default=0)
    objections = JSONAttribute(default=list)
    pending_approval_id = UnicodeAttribute(null=True)
    pending_concession = JSONAttribute(null=True)
    approval_ids = JSONAttribute(default=list)
    reservation_id = UnicodeAttribute(null=True)
    charged_minor = NumberAttribute(default=0)
    duration_seconds = NumberAttribute(default=0)
    task_token = UnicodeAttribute(null=True)
    next_step = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    answered_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    by_time = Gsi1()


class _CallEventGuard(TableItem, discriminator="CallEventGuard"):
    pass


_FIELDS = tuple(Call.model_fields)


def _call_from(item: _CallItem) -> Call:
    return Call(id=item.call_id, **{name: getattr(item, name) for name in _FIELDS if name != "id"})


def _item_key(tenant_id: int, call_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.call_sk(call_id)


def claim(call: Call) -> Call | None:
    """Create the call; None when a call with this id (same run, target and attempt) exists already."""
    values = call.model_dump(exclude={"id"})
    item = _CallItem(*_item_key(call.tenant_id, call.id), call_id=call.id, **values,
                     GSI1PK=keys.tenant_calls_pk(call.tenant_id), GSI1SK=keys.call_time_sk(call.created_at, call.id))
    try:
        item.save(condition=_CallItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return None
        raise
    return call


def placed_between(tenant_id: int, start: datetime, end: datetime) -> Iterator[Call]:
    """The tenant's calls placed in [start, end), oldest first (pattern CL3: GSI1 by placement time)."""
    items = _CallItem.by_time.query(keys.tenant_calls_pk(tenant_id),
                                 _CallItem.GSI1SK.between(keys.call_time_sk(start, ""), keys.call_time_sk(end, "")))
    for item in items:
        yield _call_from(item)


def get(tenant_id: int, call_id: str) -> Call | None:
    try:
        return _call_from(_CallItem.get(*_item_key(tenant_id, call_id), consistent_read=True))
    except DoesNotExist:
        return None


def delete(tenant_id: int, call_id: str) -> None:
    _CallItem(*_item_key(tenant_id, call_id)).delete()


def update(tenant_id: int, call_id: str, **changes: Any) -> Call:
    """Set these fields (None removes one) in one UpdateItem; the call as it is afterwards."""
    item = _CallItem(*_item_key(tenant_id, call_id))
    item.update(actions=_actions(changes), condition=_CallItem.PK.exists())
    return _call_from(item)


def update_if(tenant_id: int, call_id: str, *, status_not_in: tuple[str, ...], **changes: Any) -> Call | None:
    """`update`, unless the call's status is one of `status_not_in` (then None)."""
    item = _CallItem(*_item_key(tenant_id, call_id))
    try:
        item.update(actions=_actions(changes),
                    condition=_CallItem.PK.exists() & ~_CallItem.status.is_in(*status_not_in))
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _call_from(item)


def _actions(changes: dict[str, Any]) -> list[Any]:
    """SET each field, REMOVE those given as None."""
    return [getattr(_CallItem, name).remove() if value is None else getattr(_CallItem, name).set(value)
            for name, value in changes.items()]


def first_event(tenant_id: int, call_id: str, status: str, at: datetime) -> bool:
    """True the first time (call, status) is seen; False for a redelivery or a duplicate callback."""
    guard = _CallEventGuard(keys.call_event_guard_pk(tenant_id, call_id, status), keys.GUARD,
                            ttl=int((at + GUARD_TTL).timestamp()))
    try:
        guard.save(condition=_CallEventGuard.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def forget_event(tenant_id: int, call_id: str, status: str) -> None:
    """Undo `first_event` when handling the event failed, so the queue's redelivery is not mistaken for a duplicate."""
    _CallEventGuard(keys.call_event_guard_pk(tenant_id, call_id, status), keys.GUARD).delete()
