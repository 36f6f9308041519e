"""Call status events, consumed from the call-events queue: idempotent on (call, status).

A final status (completed, busy, no-answer, failed, canceled) closes the call exactly once: the cool-down
is stamped, the reservation settled per started minute (test workflows are never billed; settling may
trigger auto-recharge), the run's counters added, the retry policy applied, a timeline event written, and
the waiting dialer step released with what comes next (done, or wait then call again).

A callback call (`reason: callback`, placed by `callback_calls.py`) has no dialer step waiting: no task token, no
retry (it is one call), and it never finishes its target again (its first call did). It adds to its origin run the
per-call counters — `calls_placed` (when placed), `minutes_billed`, `cost_minor` — and `targets_converted` when it
converts (what the callback was for); the other outcome counters stay the first call's. A call that ends asking for
a callback has the approvals it asked for acted on here (`schedule_approved_callbacks`: one the callback policy
approved itself, or one a human approved while the call went on).
"""

from __future__ import annotations

import json
import math
from typing import Any

from shared.approvals.service import schedule_approved_callbacks
from shared.calls import repository as calls
from shared.calls.analysis_record import request_analysis_when_ready
from shared.calls.models import FINAL_STATUSES, Call
from shared.dialer import repository as runs
from shared.dialer import task_results
from shared.dialer.models import Step
from shared.platform import clock
from shared.platform.events import publish_event
from shared.platform.observability import get_logger

#: Exotel's and Twilio's words for the same thing, as Twilio says them.
_STATUS_ALIASES = {"no_answer": "no-answer", "noanswer": "no-answer", "in_progress": "in-progress",
                   "answered": "in-progress", "cancelled": "canceled"}
_OUTCOME_COUNTERS = {"converted": "targets_converted", "not_interested": "not_interested",
                     "callback": "callbacks_requested", "opted_out": "opted_out", "voicemail": "voicemails",
                     "busy": "busy", "no_answer": "no_answer", "failed": "failed_calls", "no_response": "failed_calls",
                     "transferred": "transfers"}
_RETRIED = {"busy": "busy", "no_answer": "no_answer", "voicemail": "voicemail"}


def enqueue(provider: str, tenant_id: int, call_id: str, params: dict[str, str]) -> None:
    """What the status webhook does: answer at once, handle later."""
    from shared.platform import queues
    from shared.platform.settings import get_settings

    body = json.dumps({"provider": provider, "tenant_id": tenant_id, "call_id": call_id, "params": params})
    queues.send(get_settings().call_events_queue_url, body, attributes={"call_id": call_id, "provider": provider},
                unconfigured_code="CALL_EVENTS_UNAVAILABLE")


def status_of(params: dict[str, str]) -> str:
    raw = (params.get("CallStatus") or params.get("Status") or "").strip().lower()
    return _STATUS_ALIASES.get(raw, raw)


def handle_message(body: str) -> None:
    message = json.loads(body)
    tenant_id, call_id, params = int(message["tenant_id"]), str(message["call_id"]), message.get("params") or {}
    status = status_of(params)
    if not status or not calls.first_event(tenant_id, call_id, status, clock.now()):
        return
    try:
        handle_status(tenant_id, call_id, status, params)
    except Exception:
        calls.forget_event(tenant_id, call_id, status)  # the redelivery must not look like a duplicate
        raise


def handle_status(tenant_id: int, call_id: str, status: str, params: dict[str, str]) -> None:
    call = calls.get(tenant_id, call_id)
    if call is None:
        get_logger().warning("status event for an unknown call", extra={"call_id": call_id, "status": status})
        return
    if status not in FINAL_STATUSES:
        changes: dict[str, Any] = {"status": status}
        if status == "in-progress" and call.answered_at is None:
            changes["answered_at"] = clock.now()
        updated = calls.update_if(tenant_id, call_id, status_not_in=tuple(FINAL_STATUSES), **changes)
        if status == "in-progress" and updated is not None:
            publish_event(tenant_id, "call.started", _call_event_data(updated))
        return
    if call.is_final:
        return
    _close(call, status, params)


def _close(call: Call, status: str, params: dict[str, str]) -> None:
    from shared.compliance import cooldown_repository
    from shared.workflows import repository as workflows

    now = clock.now()
    duration = _duration(params) if status == "completed" else 0
    answered_by = call.answered_by or ("machine" if params.get("AnsweredBy", "").startswith("machine") else None)
    outcome = _outcome(call, status, answered_by)
    cooldown_repository.record_call_attempt(call.tenant_id, call.target_phone, call.created_at)
    minutes, charged = _settle(call, duration)
    workflow = workflows.get(call.tenant_id, call.workflow_id)
    step = Step(tenant_id=call.tenant_id, run_id=call.run_id, workflow_id=call.workflow_id, segment=call.segment,
                target=Step.target_of(call.target_phone, call.sandbox_behaviour), attempt=call.attempt)
    next_step = _next_step(step, outcome, workflow, reason=call.reason)
    closed = calls.update_if(call.tenant_id, call.id, status_not_in=tuple(FINAL_STATUSES), status=status,
                             outcome=outcome, answered_by=answered_by, duration_seconds=duration,
                             charged_minor=charged, ended_at=now, next_step=next_step, pending_approval_id=None)
    if closed is None:
        return  # another final status closed it meanwhile
    runs.add_counters(call.tenant_id, call.workflow_id, call.run_id, _counters(closed, next_step, minutes, charged))
    if outcome == "callback" and closed.approval_ids:
        schedule_approved_callbacks(call.tenant_id, closed.approval_ids)
    _record_on_timeline(closed)
    request_analysis_when_ready(closed)  # if the voice plane kept the conversation first (shared.calls.analysis_record)
    publish_event(call.tenant_id, "call.completed", {**_call_event_data(closed), "status": closed.status,
                                                     "outcome": outcome, "summary": _SUMMARIES[outcome],
                                                     "answered_by": closed.answered_by,
                                                     "duration_seconds": closed.duration_seconds,
                                                     "cost_minor": closed.charged_minor, "ended_at": closed.ended_at})
    if closed.task_token:
        task_results.release(closed.task_token, next_step)


def _counters(call: Call, next_step: dict[str, Any], minutes: int, charged: int) -> dict[str, int]:
    outcome = call.outcome or "failed"
    if call.reason == "callback":
        return {"minutes_billed": minutes, "cost_minor": charged,
                "targets_converted": 1 if outcome == "converted" else 0}
    counters = {_OUTCOME_COUNTERS[outcome]: 1, "targets_connected": 1 if call.answered_by == "human" else 0,
                "minutes_billed": minutes, "cost_minor": charged}
    if next_step["next"] == "done" and runs.finish_target(call.tenant_id, call.run_id, call.target_phone, outcome):
        counters["targets_finished"] = 1
    return counters


def _call_event_data(call: Call) -> dict[str, Any]:
    """What `call.started` and `call.completed` say of a call (never its transcript: see GET /calls/{id})."""
    return {"call_id": call.id, "workflow_id": call.workflow_id, "run_id": call.run_id, "to": call.target_phone,
            "from": call.from_number, "attempt": call.attempt, "is_test": call.is_test, "provider": call.provider,
            "started_at": call.created_at, "answered_at": call.answered_at, "reason": call.reason}


def _duration(params: dict[str, str]) -> int:
    for name in ("CallDuration", "Duration", "ConversationDuration"):
        value = str(params.get(name) or "").strip()
        if value.isdigit():
            return int(value)
    return 0


def _outcome(call: Call, status: str, answered_by: str | None) -> str:
    if status == "busy":
        return "busy"
    if status == "no-answer":
        return "no_answer"
    if status in ("failed", "canceled"):
        return call.outcome or "failed"
    if answered_by == "machine":
        return "voicemail"
    if call.outcome:
        return call.outcome
    return "no_response" if answered_by == "human" or call.answered_at else "no_answer"


def _settle(call: Call, duration: int) -> tuple[int, int]:
    """(minutes billed, amount charged): each started minute at the wallet's rate; a test call is free."""
    if call.is_test or not call.reservation_id:
        return 0, 0
    from shared.billing import repository as billing
    from shared.billing import reservations

    if duration <= 0:
        reservations.release(call.tenant_id, call.reservation_id)
        return 0, 0
    minutes = math.ceil(duration / 60)
    wallet = billing.get_wallet(call.tenant_id)
    rate = wallet.rate_per_minute_minor if wallet else 0
    settled = reservations.settle(call.tenant_id, call.reservation_id, minutes * rate,
                                  description=f"Call to …{call.target_phone[-4:]}, {minutes} min")
    return minutes, int(settled.charged_minor or 0)


def _next_step(step: Step, outcome: str, workflow: Any, *, reason: str = "campaign") -> dict[str, Any]:
    retried = _RETRIED.get(outcome) if reason == "campaign" else None  # a callback is one call
    if retried and workflow is not None:
        rule = getattr(workflow.rule_book.retry_policy, retried)
        if step.attempt < rule.max_attempts:
            from shared.dialer.dial import scaled_wait

            return step.then_wait(scaled_wait(rule.spacing_minutes * 60), attempt=step.attempt + 1)
    return step.then_done(outcome)


_SUMMARIES = {"converted": "Call: converted", "not_interested": "Call: not interested",
              "callback": "Call: asked to be called back", "opted_out": "Call: asked not to be called again",
              "voicemail": "Call: answering machine", "busy": "Call: line busy", "no_answer": "Call: no answer",
              "failed": "Call: failed", "no_response": "Call: answered, no response",
              "transferred": "Call: transferred to a person"}


def _record_on_timeline(call: Call) -> None:
    from shared.platform.ids import new_id
    from shared.timeline import service as timeline
    from shared.timeline.models import TimelineContact, TimelineEvent

    outcome = call.outcome or "failed"
    timeline.record(call.tenant_id, TimelineEvent(
        id=new_id("tle"), tenant_id=call.tenant_id, at=call.ended_at or clock.now(), kind="call",
        direction="outbound", workflow_id=call.workflow_id, run_id=call.run_id, summary=_SUMMARIES[outcome],
        contact=TimelineContact(phone=call.target_phone),
        payload={"call_id": call.id, "attempt": call.attempt, "status": call.status, "outcome": outcome,
                 "answered_by": call.answered_by, "duration_seconds": call.duration_seconds,
                 "charged_minor": call.charged_minor, "provider": call.provider, "is_test": call.is_test,
                 "approval_ids": call.approval_ids, "transcript": call.transcript, "reason": call.reason,
                 "callback_id": call.callback_id}))
