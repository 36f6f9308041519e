"""Calls on the tenant's partition (`CALL#{call_id}`, pattern CL1), the guard items that make call
events idempotent on (call, status) (pattern CL2), and what the calls API lists them by: GSI1 by placement
time (CL3), GSI2 by status (CL4, moved by every write that changes the status) and one `CallRef` item per
workflow, run and contact number (CL5, written with the call; the number's moves when a DSR erase
pseudonymises it).

The dialer step and the final status event can race; both write with one UpdateItem returning the item
as it is afterwards, so whichever writes second sees the other's half (the task token, or the next step)
and releases the waiting dialer step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError

from shared.calls.models import Call, CallAnalysis, CallTransfer, Recording
from shared.platform.storage import keys
from shared.platform.storage.table import (
    Gsi1,
    Gsi2,
    TableItem,
    condition_failed,
    failed_condition_positions,
    transaction,
)

GUARD_TTL = timedelta(days=30)


class _CallItem(TableItem, discriminator="Call"):
    call_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    workflow_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    segment = NumberAttribute()
    target_phone = UnicodeAttribute()
    sandbox_behaviour = UnicodeAttribute(null=True)
    attempt = NumberAttribute()
    is_test = BooleanAttribute(default=False)
    status = UnicodeAttribute()
    provider = UnicodeAttribute(null=True)
    provider_call_sid = UnicodeAttribute(null=True)
    from_number = UnicodeAttribute(null=True)
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
    turn_latencies_ms = JSONAttribute(default=list)
    recording = JSONAttribute(null=True)
    analysis = JSONAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    next_step = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    answered_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # absent on calls placed before callbacks: read as "campaign"
    callback_id = UnicodeAttribute(null=True)
    transfer = JSONAttribute(null=True)
    #: The transfer's status beside its JSON, so a transfer's steps are conditional writes (`set_transfer_if`).
    transfer_status = UnicodeAttribute(null=True)
    #: The transfer leg's recording, beside the transfer's JSON rather than in it: the carrier's recording callback and
    #: the dial's result arrive together, and each step rewrites the whole JSON from what it read, so a recording kept
    #: inside it could be overwritten by a dial result read before it (`set_transfer_recording`).
    transfer_recording = JSONAttribute(null=True)
    by_time = Gsi1()
    by_status = Gsi2()


class _CallRef(TableItem, discriminator="CallRef"):
    """Lists a call under one of its immutable filters (workflow, run, contact number): keys and the id only."""

    call_id = UnicodeAttribute()


class _CallEventGuard(TableItem, discriminator="CallEventGuard"):
    pass


_FIELDS = tuple(Call.model_fields)


def _call_from(item: _CallItem) -> Call:
    values = {name: getattr(item, name) for name in _FIELDS if name != "id"}
    if values["transfer"] is not None and item.transfer_recording is not None:
        values["transfer"] = {**values["transfer"], "recording": item.transfer_recording}
    return Call(id=item.call_id, **{**values, "reason": values["reason"] or "campaign"})


def _item_key(tenant_id: int, call_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.call_sk(call_id)


def claim(call: Call) -> Call | None:
    """Create the call with its listing refs (one transaction); None when a call with this id (same run,
    target and attempt) exists already."""
    values = call.model_dump(exclude={"id"})
    time_sk = keys.call_time_sk(call.created_at, call.id)
    item = _CallItem(*_item_key(call.tenant_id, call.id), call_id=call.id, **values,
                     GSI1PK=keys.tenant_calls_pk(call.tenant_id), GSI1SK=time_sk,
                     GSI2PK=_status_pk(call.tenant_id, call.status), GSI2SK=time_sk)
    try:
        with transaction() as write:
            write.save(item, condition=_CallItem.PK.does_not_exist())
            for ref in _refs(call):
                write.save(ref)
    except TransactWriteError as error:
        if 0 in failed_condition_positions(error):
            return None
        raise
    return call


def _status_pk(tenant_id: int, status: str) -> str:
    return keys.tenant_calls_by_pk(tenant_id, keys.CALLS_BY_STATUS, status)


def _refs(call: Call) -> list[_CallRef]:
    refs = [_ref(call, keys.CALLS_BY_WORKFLOW, call.workflow_id), _ref(call, keys.CALLS_BY_RUN, call.run_id),
            _ref(call, keys.CALLS_BY_PHONE, call.target_phone)]
    if call.reason != "campaign":  # sparse: `?reason=callback` reads only the callback calls
        refs.append(_ref(call, keys.CALLS_BY_REASON, call.reason))
    return refs


def _ref(call: Call, dimension: str, value: str) -> _CallRef:
    return _CallRef(keys.tenant_calls_by_pk(call.tenant_id, dimension, value),
                    keys.call_time_sk(call.created_at, call.id), call_id=call.id)


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
    """The call and its listing refs (a claim undone before anything was dialed)."""
    call = get(tenant_id, call_id)
    if call is None:
        return
    with transaction() as write:
        write.delete(_CallItem(*_item_key(tenant_id, call_id)))
        for ref in _refs(call):
            write.delete(ref)


def update(tenant_id: int, call_id: str, **changes: Any) -> Call:
    """Set these fields (None removes one) in one UpdateItem; the call as it is afterwards."""
    if "target_phone" in changes:
        return _renumber(tenant_id, call_id, changes)
    item = _CallItem(*_item_key(tenant_id, call_id))
    item.update(actions=_actions(tenant_id, changes), condition=_CallItem.PK.exists())
    return _call_from(item)


def _renumber(tenant_id: int, call_id: str, changes: dict[str, Any]) -> Call:
    """A new contact number (a DSR erase's pseudonym): the call and its number ref move in one transaction,
    so no listing key keeps the old number."""
    before = get(tenant_id, call_id)
    if before is None:
        raise DoesNotExist()
    old_ref = _ref(before, keys.CALLS_BY_PHONE, before.target_phone)
    new_ref = _ref(before, keys.CALLS_BY_PHONE, changes["target_phone"])
    with transaction() as write:
        write.update(_CallItem(*_item_key(tenant_id, call_id)), actions=_actions(tenant_id, changes),
                     condition=_CallItem.PK.exists())
        if new_ref.PK != old_ref.PK:
            write.delete(old_ref)
            write.save(new_ref)
    after = get(tenant_id, call_id)
    if after is None:  # erased meanwhile
        raise DoesNotExist()
    return after


def update_if(tenant_id: int, call_id: str, *, status_not_in: tuple[str, ...], **changes: Any) -> Call | None:
    """`update`, unless the call's status is one of `status_not_in` (then None)."""
    return _update_when(tenant_id, call_id, _actions(tenant_id, changes),
                        _CallItem.PK.exists() & ~_CallItem.status.is_in(*status_not_in))


def set_analysis_once(tenant_id: int, call_id: str, analysis: CallAnalysis, *, contact_phone: str) -> Call | None:
    """Give the call its post-call analysis, unless it has one already (a redelivered job) or its number is no longer
    `contact_phone` (a DSR erase pseudonymised it after the analysis read it); None when nothing was written."""
    return _update_when(tenant_id, call_id, [_CallItem.analysis.set(_plain(analysis))],
                        _CallItem.PK.exists() & _CallItem.analysis.does_not_exist()
                        & (_CallItem.target_phone == contact_phone))


def set_transfer_if(tenant_id: int, call_id: str, transfer: CallTransfer, *, from_statuses: tuple[str, ...] | None,
                    **changes: Any) -> Call | None:
    """Write the call's transfer (and other `changes`) when its transfer is in one of `from_statuses` (None: when
    the call has no transfer yet); None when it is not (another step came first, or a repeat). One UpdateItem."""
    expected = (_CallItem.transfer_status.does_not_exist() if from_statuses is None
                else _CallItem.transfer_status.is_in(*from_statuses))
    stored = transfer.model_dump(mode="json", exclude_none=True, exclude={"recording"})  # kept beside it
    actions = [*_actions(tenant_id, changes), _CallItem.transfer.set(stored),
               _CallItem.transfer_status.set(transfer.status)]
    return _update_when(tenant_id, call_id, actions, _CallItem.PK.exists() & expected)


def set_transfer_recording(tenant_id: int, call_id: str, recording: Recording, *, contact_phone: str) -> Call | None:
    """Point the call's transfer at its leg's recording, in its own attribute (whatever step of the transfer writes
    meanwhile keeps it), while the call has a transfer and its number is still `contact_phone` (a DSR erase drops
    the transfer and pseudonymises the number); None when it does not."""
    return _update_when(tenant_id, call_id, [_CallItem.transfer_recording.set(_plain(recording))],
                        _CallItem.PK.exists() & _CallItem.transfer.exists() & (_CallItem.target_phone == contact_phone))


def _update_when(tenant_id: int, call_id: str, actions: list[Any], condition: Any) -> Call | None:
    """One conditional UpdateItem of the call; None when the condition does not hold."""
    item = _CallItem(*_item_key(tenant_id, call_id))
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _call_from(item)


def _actions(tenant_id: int, changes: dict[str, Any]) -> list[Any]:
    """SET each field, REMOVE those given as None; a new status also moves the call in the status index."""
    actions = [getattr(_CallItem, name).remove() if value is None else getattr(_CallItem, name).set(_plain(value))
               for name, value in changes.items()]
    if "transfer" in changes and changes["transfer"] is None:  # the transfer's recording goes with it
        actions.append(_CallItem.transfer_recording.remove())
    if changes.get("status"):
        actions.append(_CallItem.GSI2PK.set(_status_pk(tenant_id, changes["status"])))
    return actions


def _plain(value: Any) -> Any:
    """Models (a Recording, Utterances) as the JSON they are stored as."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    return value


# --- The calls API's listing (CL3, CL4, CL5) ---------------------------------------------------------------

def page(tenant_id: int, *, dimension: str | None, value: str | None, limit: int, after: str | None,
         keep: Callable[[Call], bool], max_read: int) -> tuple[list[Call], str | None]:
    """Up to `limit` calls newest first from one listing (`dimension` None: all the tenant's calls), after the
    listing sort key `after`, that `keep` accepts. Reads at most about `max_read` entries, so a rare match
    in a long listing costs several pages, never an unbounded request. Returns the calls and the sort key
    to continue after (None: the listing is exhausted)."""
    found: list[Call] = []
    read = 0
    chunk = min(limit, max_read)  # enough when every entry matches; bigger reads only once some did not
    while True:
        entries, more = _listing_chunk(tenant_id, dimension, value, chunk, after)
        calls = _calls_for(tenant_id, [call_id for _, call_id, listed in entries if listed is None])
        for position, (sort_key, call_id, listed) in enumerate(entries):
            read += 1
            call = listed or calls.get(call_id)
            if call is not None and keep(call):
                found.append(call)
                if len(found) == limit:
                    return found, sort_key if (more or position < len(entries) - 1) else None
        if not more or not entries:
            return found, None
        after = entries[-1][0]
        if read >= max_read:
            return found, after
        chunk = min(max(limit - len(found), 100), max_read - read)


def _listing_chunk(tenant_id: int, dimension: str | None, value: str | None, limit: int,
                   after: str | None) -> tuple[list[tuple[str, str, Call | None]], bool]:
    """(sort key, call id, the call when the index projects it whole) of one Query, newest first, and
    whether the listing may go on. GSI1 projects everything; GSI2 and the refs only name the call."""
    def call_id_of(sort_key: str) -> str:
        return sort_key.split("#", 1)[1]

    if dimension is None or dimension == keys.CALLS_BY_STATUS:
        index_pk = keys.tenant_calls_pk(tenant_id) if dimension is None else _status_pk(tenant_id, value or "")
        names = ("GSI1PK", "GSI1SK") if dimension is None else ("GSI2PK", "GSI2SK")
        start = None if after is None else {
            "PK": {"S": keys.tenant_pk(tenant_id)}, "SK": {"S": keys.call_sk(call_id_of(after))},
            names[0]: {"S": index_pk}, names[1]: {"S": after}}
        index = _CallItem.by_time if dimension is None else _CallItem.by_status
        results = index.query(index_pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        entries = [(getattr(item, names[1]), call_id_of(getattr(item, names[1])),
                    _call_from(item) if dimension is None else None) for item in results]
    else:
        ref_pk = keys.tenant_calls_by_pk(tenant_id, dimension, value or "")
        start = None if after is None else {"PK": {"S": ref_pk}, "SK": {"S": after}}
        results = _CallRef.query(ref_pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        entries = [(ref.SK, ref.call_id, None) for ref in results]
    return entries, results.last_evaluated_key is not None


def _calls_for(tenant_id: int, call_ids: list[str]) -> dict[str, Call]:
    """The listed calls, read with BatchGetItem (a ref whose call is gone is skipped)."""
    wanted = list(dict.fromkeys(call_ids))
    if not wanted:
        return {}
    return {item.call_id: _call_from(item)
            for item in _CallItem.batch_get([_item_key(tenant_id, call_id) for call_id in wanted])}


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


# --- Backfill (ops): calls written before the listings existed ---------------------------------------------

def calls_without_listing() -> Iterator[Call]:
    """Every call that has no status key yet (written before CL4/CL5). A Scan: for the ops backfill only
    (`python -m ops.backfill_call_listings`), never on a request path."""
    for item in _CallItem.scan(_CallItem.GSI2PK.does_not_exist()):
        yield _call_from(item)


def add_listing(call: Call) -> bool:
    """Give a call its status key and its refs, in one transaction; False when it had them already."""
    time_sk = keys.call_time_sk(call.created_at, call.id)
    try:
        with transaction() as write:
            write.update(_CallItem(*_item_key(call.tenant_id, call.id)),
                         actions=[_CallItem.GSI2PK.set(_status_pk(call.tenant_id, call.status)),
                                  _CallItem.GSI2SK.set(time_sk)],
                         condition=_CallItem.PK.exists() & _CallItem.GSI2PK.does_not_exist())
            for ref in _refs(call):
                write.save(ref)
    except TransactWriteError as error:
        if 0 in failed_condition_positions(error):
            return False
        raise
    return True

