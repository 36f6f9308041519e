"""Callbacks in the single table (patterns CB1–CB4): one partition per tenant, listed by due time through GSI1.

A callback's id is derived from the call it came from, so creating it twice (a redelivered decision, the call's
close seeing an approval already acted on) is one conditional Put that fails the second time.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from shared.callbacks.models import Callback
from shared.platform.storage import keys
from shared.platform.storage.table import Gsi1, TableItem, condition_failed

#: The list is a view of the recent and coming callbacks, not an archive: a Query reads at most this many items.
LIST_LIMIT = 500


class _CallbackItem(TableItem, discriminator="Callback"):
    callback_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    workflow_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    target_phone = UnicodeAttribute()
    status = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    requested_text = UnicodeAttribute()
    origin_call_id = UnicodeAttribute()
    approval_id = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    skip_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    cancelled_at = UTCDateTimeAttribute(null=True)
    by_due = Gsi1()


_FIELDS = tuple(name for name in Callback.model_fields if name != "id")


def _callback_from(item: _CallbackItem) -> Callback:
    return Callback(id=item.callback_id, **{name: getattr(item, name) for name in _FIELDS})


def _key(tenant_id: int, callback_id: str) -> tuple[str, str]:
    return keys.callbacks_pk(tenant_id), keys.callback_sk(callback_id)


def create(callback: Callback) -> bool:
    """Store a new callback (CB1); False when one with this id (the same origin call) exists already."""
    item = _CallbackItem(*_key(callback.tenant_id, callback.id), callback_id=callback.id,
                         **callback.model_dump(exclude={"id"}), GSI1PK=keys.callbacks_pk(callback.tenant_id),
                         GSI1SK=keys.callback_due_sk(callback.due_at, callback.id))
    try:
        item.save(condition=_CallbackItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def get(tenant_id: int, callback_id: str) -> Callback | None:
    try:
        return _callback_from(_CallbackItem.get(*_key(tenant_id, callback_id), consistent_read=True))
    except DoesNotExist:
        return None


def list_for_tenant(tenant_id: int, *, status: str | None = None, workflow_id: str | None = None) -> list[Callback]:
    """Newest due first (CB2: GSI1), filtered on the partition's items, at most `LIST_LIMIT` read."""
    condition = None
    for name, value in (("status", status), ("workflow_id", workflow_id)):
        if value is not None:
            clause = getattr(_CallbackItem, name) == value
            condition = clause if condition is None else condition & clause
    items = _CallbackItem.by_due.query(keys.callbacks_pk(tenant_id), filter_condition=condition,
                                       scan_index_forward=False, limit=LIST_LIMIT)
    return [_callback_from(item) for item in items]


def update_if(tenant_id: int, callback_id: str, *, status_is: str, **changes: Any) -> Callback | None:
    """Write `changes` (CB3) if the callback's status is still `status_is`; the callback afterwards, or None when
    it is not (cancelled, placed or skipped meanwhile: the first writer wins)."""
    item = _CallbackItem(*_key(tenant_id, callback_id))
    actions = [getattr(_CallbackItem, name).remove() if value is None else getattr(_CallbackItem, name).set(value)
               for name, value in changes.items()]
    if "due_at" in changes:
        actions.append(_CallbackItem.GSI1SK.set(keys.callback_due_sk(changes["due_at"], callback_id)))
    try:
        item.update(actions=actions, condition=_CallbackItem.PK.exists() & (_CallbackItem.status == status_is))
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _callback_from(item)


# --- DSR (data-subject requests): one callee's callbacks, pseudonymised in place (CB4) ------------------------

def for_target(tenant_id: int, target_phone: str) -> list[Callback]:
    """Every callback to one number (or its pseudonym): the tenant's partition, filtered."""
    items = _CallbackItem.query(keys.callbacks_pk(tenant_id), _CallbackItem.SK.startswith(keys.CALLBACK_PREFIX),
                                filter_condition=_CallbackItem.target_phone == target_phone)
    return [_callback_from(item) for item in items]


def pseudonymise(tenant_id: int, callback_id: str, pseudonym: str) -> None:
    """Keep what happened (status, when); replace the number and drop the callee's words (the service cancels a
    scheduled one first)."""
    item = _CallbackItem(*_key(tenant_id, callback_id))
    item.update(actions=[_CallbackItem.target_phone.set(pseudonym), _CallbackItem.requested_text.set("[erased]")],
                condition=_CallbackItem.PK.exists())
