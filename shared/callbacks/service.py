"""Callbacks: the call a callee asked for, scheduled once, placed when it comes due, cancellable until then.

Created from an approved `callback` approval (`schedule_from_approval`, called by the approvals service whether
the decision came through the API or the tenant's Slack, and by the call's close for approvals the callback policy
approved itself), one per origin call (its id is derived from that call, so a second creation is a no-op). The due
moment is the callee's stated time in their zone, capped and moved inside the legal and the rule book's windows
(`timing.py`). Each scheduled callback has one EventBridge Scheduler one-time schedule (`cbk-{tenant}-{id}` in the
callbacks group) that invokes `callbacks_due`; cancelling deletes it. Placing the call is the dialer's
(`shared.dialer.callback_calls`): this service records what happened (placed, skipped, moved to a later moment).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from shared.auth.principal import Principal
from shared.callbacks import repository, timing
from shared.callbacks.models import Callback, CallbackBrief, CallbackList, CallbackStatus, CallbackView
from shared.calls import repository as calls
from shared.platform import clock
from shared.platform.errors import Conflict, NotFound
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event, get_logger
from shared.platform.settings import get_settings
from shared.providers.orchestration.port import OrchestrationUnavailable, Schedule
from shared.providers.orchestration.selection import get_orchestrator
from shared.timeline import service as timeline
from shared.timeline.models import TimelineContact, TimelineEvent
from shared.workflows.service import rule_book_of

#: How many of the earlier call's last lines the agent of the callback call is shown.
BRIEF_LINES = 4


def callback_id_for(tenant_id: int, origin: str) -> str:
    """One callback per origin call (or, without one, per approval): the same id every time it is asked for."""
    return "cbk_" + hashlib.sha256(f"{tenant_id}|{origin}".encode()).hexdigest()[:24]


def schedule_name(callback: Callback) -> str:
    """Named for the callback and its due moment: a moved callback gets a new schedule while the one that fired is
    deleted after completion (`ActionAfterCompletion: DELETE`), so the two never clash."""
    return f"cbk-{callback.tenant_id}-{callback.id}-{int(callback.due_at.timestamp())}"


def schedule_from_approval(tenant_id: int, *, approval_id: str, workflow_id: str, run_id: str, target_phone: str,
                           origin_call_id: str | None, callee_words: list[str]) -> Callback | None:
    """Schedule the callback an approved `callback` approval asked for (once); None when its workflow is gone.

    `callee_words`: what the callee said, most precise first (their sentence, then the engine's `when_text`)."""
    existing = repository.get(tenant_id, callback_id_for(tenant_id, origin_call_id or approval_id))
    if existing is not None:
        return existing
    rule_book = rule_book_of(tenant_id, workflow_id)
    if rule_book is None:
        get_logger().warning("callback not scheduled: workflow gone", extra={"workflow_id": workflow_id})
        return None
    now = clock.now_seconds()
    due = timing.due_moment(callee_words, target_phone, rule_book.calling_window,
                            rule_book.callback_policy.max_days_ahead, now)
    callback = Callback(id=callback_id_for(tenant_id, origin_call_id or approval_id), tenant_id=tenant_id,
                        workflow_id=workflow_id, run_id=run_id, target_phone=target_phone,
                        status="scheduled" if due.due_at else "skipped", due_at=due.due_at or due.requested_at,
                        requested_text=due.requested_text[:200], origin_call_id=origin_call_id or "",
                        approval_id=approval_id, skip_reason=None if due.due_at else "no_window", created_at=now)
    if not repository.create(callback):
        return repository.get(tenant_id, callback.id)  # created meanwhile by the other path
    count_business_event("CallbackScheduled" if due.due_at else "CallbackSkipped")
    if callback.status == "scheduled":
        _record(callback, f"Callback scheduled for {clock.iso(callback.due_at)} (asked: {callback.requested_text})")
        if not _arm(callback):
            return record_skip(callback, "not_scheduled") or callback
    else:
        _record(callback, "Callback skipped: no legal calling time within a week of the time asked for")
    return callback


# --- The API ---------------------------------------------------------------------------------------------------

def list_callbacks(principal: Principal, *, status: CallbackStatus | None = None,
                   workflow_id: str | None = None) -> CallbackList:
    found = repository.list_for_tenant(principal.tenant_id, status=status, workflow_id=workflow_id)
    return CallbackList(callbacks=[CallbackView.of(callback) for callback in found])


def get_callback(principal: Principal, callback_id: str) -> CallbackView:
    return CallbackView.of(_owned(principal.tenant_id, callback_id))


def cancel_callback(principal: Principal, callback_id: str) -> CallbackView:
    """Cancel a scheduled callback and delete its schedule; 409 once it is placed, skipped or cancelled."""
    current = _owned(principal.tenant_id, callback_id)
    cancelled = repository.update_if(principal.tenant_id, callback_id, status_is="scheduled", status="cancelled",
                                     cancelled_at=clock.now_seconds())
    if cancelled is None:
        status = (repository.get(principal.tenant_id, callback_id) or current).status
        raise Conflict(f"This callback is {status}; only a scheduled callback can be cancelled",
                       code="CALLBACK_NOT_CANCELLABLE")
    _disarm(cancelled)
    count_business_event("CallbackCancelled")
    _record(cancelled, "Callback cancelled")
    return CallbackView.of(cancelled)


def _owned(tenant_id: int, callback_id: str) -> Callback:
    callback = repository.get(tenant_id, callback_id)
    if callback is None:
        raise NotFound("No such callback in this workspace", code="NOT_FOUND", field="id")
    return callback


# --- What the dialer asks when a callback comes due (shared.dialer.callback_calls) -----------------------------

def find(tenant_id: int, callback_id: str) -> Callback | None:
    return repository.get(tenant_id, callback_id)


def claim_for_call(callback: Callback, call_id: str) -> Callback | None:
    """Mark a scheduled callback placed with the call about to be dialed (first writer wins: a schedule fired
    twice, or a cancel at the same moment, gets None)."""
    return repository.update_if(callback.tenant_id, callback.id, status_is="scheduled", status="placed",
                                call_id=call_id)


def record_placed(callback: Callback) -> None:
    count_business_event("CallbackPlaced")
    _record(callback, "Callback placed", call_id=callback.call_id)


def record_skip(callback: Callback, reason: str) -> Callback | None:
    """A callback that will not be placed (re-screened out, or its call could not be placed): skipped, with why."""
    skipped = repository.update_if(callback.tenant_id, callback.id, status_is=callback.status, status="skipped",
                                   skip_reason=reason)
    if skipped is not None:
        count_business_event("CallbackSkipped")
        _record(skipped, f"Callback skipped: {reason}")
    return skipped


def reschedule(callback: Callback, due_at: datetime, *, target_arn: str | None = None) -> Callback | None:
    """Move a callback to a later moment (outside the legal window when it fired, or the carrier said wait) and
    re-arm its schedule (`target_arn`: the due-callbacks function re-arming from inside itself)."""
    moved = repository.update_if(callback.tenant_id, callback.id, status_is=callback.status, status="scheduled",
                                 due_at=due_at, call_id=None)
    if moved is not None:
        _record(moved, f"Callback scheduled for {clock.iso(due_at)} (moved into the calling window)")
        if not _arm(moved, target_arn=target_arn):
            return record_skip(moved, "not_scheduled")
    return moved


def brief_for(tenant_id: int, callback_id: str) -> CallbackBrief | None:
    """What the callback call's agent is told: the callee's words, when they asked, the earlier call's summary and
    last lines (None when the callback is gone)."""
    callback = repository.get(tenant_id, callback_id)
    if callback is None:
        return None
    origin = calls.get(tenant_id, callback.origin_call_id) if callback.origin_call_id else None
    summary = origin.analysis.fields.get("summary") if origin is not None and origin.analysis else None
    lines = [("agent" if entry.get("speaker") == "agent" else "callee", str(entry.get("text", "")))
             for entry in (origin.transcript if origin is not None else [])][-BRIEF_LINES:]
    return CallbackBrief(requested_text=callback.requested_text,
                         asked_at=origin.created_at if origin is not None else callback.created_at,
                         due_at=callback.due_at, previous_summary=summary if isinstance(summary, str) else None,
                         previous_lines=lines)


# --- DSR -------------------------------------------------------------------------------------------------------

def for_contact(tenant_id: int, e164: str) -> list[CallbackView]:
    return [CallbackView.of(callback) for callback in repository.for_target(tenant_id, e164)]


def erase_contact(tenant_id: int, e164: str, pseudonym: str) -> int:
    """Cancel the contact's scheduled callbacks (deleting their schedules), then pseudonymise every one; how many."""
    found = repository.for_target(tenant_id, e164)
    for callback in found:
        if callback.status == "scheduled":
            cancelled = repository.update_if(tenant_id, callback.id, status_is="scheduled", status="cancelled",
                                             cancelled_at=clock.now_seconds(), skip_reason="erased")
            if cancelled is not None:
                _disarm(cancelled)
        repository.pseudonymise(tenant_id, callback.id, pseudonym)
    return len(found)


# --- Schedules and the timeline --------------------------------------------------------------------------------

def _arm(callback: Callback, *, target_arn: str | None = None) -> bool:
    """One one-time schedule at the due moment (UTC); where the scheduler is not configured, nothing fires (logged).
    False when the scheduler refused it (after the SDK's retries): the caller marks the callback skipped with
    `not_scheduled`, so a callback that will never fire is never listed as scheduled."""
    settings = get_settings()
    target_arn = target_arn or settings.callbacks_due_function_arn
    if not (settings.scheduler_role_arn and target_arn):
        get_logger().warning("scheduler not configured: callback not armed", extra={"callback_id": callback.id})
        return True
    try:
        get_orchestrator().put_schedule(Schedule(
            name=schedule_name(callback), group=settings.callback_schedule_group,
            expression=f"at({callback.due_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
            timezone="UTC", target_arn=target_arn, role_arn=settings.scheduler_role_arn,
            input={"tenant_id": callback.tenant_id, "callback_id": callback.id}, delete_after_completion=True))
    except OrchestrationUnavailable:
        # The decision is committed already: the callback is shown as skipped (the tenant sees it was not booked).
        get_logger().exception("callback schedule not saved", extra={"callback_id": callback.id})
        count_business_event("CallbackNotArmed")
        return False
    return True


def _disarm(callback: Callback) -> None:
    settings = get_settings()
    if settings.scheduler_role_arn:
        get_orchestrator().delete_schedule(schedule_name(callback), settings.callback_schedule_group)


def _record(callback: Callback, summary: str, *, call_id: str | None = None) -> None:
    timeline.record(callback.tenant_id, TimelineEvent(
        id=new_id("tle"), tenant_id=callback.tenant_id, at=clock.now(), kind="callback", direction="outbound",
        workflow_id=callback.workflow_id, run_id=callback.run_id, summary=summary,
        contact=TimelineContact(phone=callback.target_phone),
        payload={"callback_id": callback.id, "status": callback.status, "due_at": clock.iso(callback.due_at),
                 "requested_text": callback.requested_text, "origin_call_id": callback.origin_call_id,
                 "approval_id": callback.approval_id, "call_id": call_id or callback.call_id,
                 "skip_reason": callback.skip_reason}))
