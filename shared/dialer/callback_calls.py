"""A callback comes due (its one-time schedule fired `callbacks_due`): screen it again, then place ONE call.

In order, each a skip recorded on the callback with its `skip_reason`: the callback still scheduled (a cancel, or a
schedule fired twice, ends here quietly); the workflow still there and not retired; the run it came from not paused
by the tenant (a run that finished is no reason: the callee asked); the number not erased, not on the DNC list or
NCPR (the 7-day cool-down does not apply: the callee asked for this call); the recipient's legal window and the rule
book's calling window — outside them the callback is moved to the next moment they allow (not skipped); the
carrier's pace (a wait moves it a few seconds on). Then the shared placement (`placement.py`): the call is claimed
with an id derived from the callback, so it is placed once, billed like any call (funds reserved first: none →
skipped `no_funds`), `reason: "callback"`; on the sandbox carrier its callee is the `convert` one.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta
from typing import Any

from shared.callbacks import service as callbacks
from shared.callbacks.models import Callback
from shared.calls import repository as calls
from shared.calls.models import Call
from shared.dialer import pacing_repository
from shared.dialer import placement as placement_of
from shared.dialer import repository as runs
from shared.platform import clock
from shared.platform.observability import get_logger
from shared.workflows import repository as workflows
from shared.workflows import windows

#: A schedule that fires this much before the callback's due moment is an old one (the callback was moved): ignored.
EARLY_TOLERANCE = timedelta(seconds=60)


def call_id_for(callback: Callback) -> str:
    return "call_" + hashlib.sha256(f"callback|{callback.id}".encode()).hexdigest()[:24]


def place_due(event: dict[str, Any], *, own_arn: str | None = None) -> dict[str, Any]:
    """The `callbacks_due` function: what happened to the callback, for the log. `own_arn`: the function's own ARN,
    the target of a callback moved to a later moment."""
    tenant_id, callback_id = int(event["tenant_id"]), str(event["callback_id"])
    callback = callbacks.find(tenant_id, callback_id)
    if callback is None:
        return {"result": "unknown_callback"}
    if callback.status == "placed" and callback.call_id and calls.get(tenant_id, callback.call_id) is None:
        # Claimed, then the invocation died before dialing: finish the job (the same call id).
        return _place(callback, own_arn)
    if callback.status != "scheduled":
        return {"result": callback.status}
    now = clock.now()
    if callback.due_at - now > EARLY_TOLERANCE:
        return {"result": "not_due"}
    workflow = workflows.get(tenant_id, callback.workflow_id)
    reason = _screened_out(callback, workflow)
    if reason:
        callbacks.record_skip(callback, reason)
        return {"result": "skipped", "skip_reason": reason}
    moment = windows.next_callable_moment(workflow.rule_book.calling_window, callback.target_phone, now)
    if moment is None:
        callbacks.record_skip(callback, "no_window")
        return {"result": "skipped", "skip_reason": "no_window"}
    if moment > now:
        callbacks.reschedule(callback, moment, target_arn=own_arn)
        return {"result": "rescheduled", "due_at": clock.iso(moment)}
    claimed = callbacks.claim_for_call(callback, call_id_for(callback))
    if claimed is None:
        return {"result": "taken"}  # cancelled, or placed by a twin invocation, meanwhile
    return _place(claimed, own_arn)


def _screened_out(callback: Callback, workflow: Any) -> str | None:
    from shared.compliance.service import is_erased, screen

    if workflow is None:
        return "workflow_missing"
    if workflow.status == "retired":
        return "retired"
    run = runs.get(callback.tenant_id, callback.workflow_id, callback.run_id)
    if run is not None and run.status == "paused":
        return "paused"
    if is_erased(callback.tenant_id, callback.target_phone):
        return "erased"
    screening = screen(callback.tenant_id, [callback.target_phone], clock.now())
    if callback.target_phone in screening.dnc:
        return "dnc"
    if callback.target_phone in screening.ncpr:
        return "ncpr"
    return None


def _place(callback: Callback, own_arn: str | None) -> dict[str, Any]:
    from shared.accounts.real_calls import may_place_real_calls
    from shared.onboarding.call_selection import get_call_carrier
    from shared.phones import country_of

    workflow = workflows.get(callback.tenant_id, callback.workflow_id)
    if workflow is None:
        callbacks.record_skip(callback, "workflow_missing")
        return {"result": "skipped", "skip_reason": "workflow_missing"}
    carrier = get_call_carrier(callback.tenant_id, country_of(callback.target_phone), workflow.is_test)
    if carrier.name != "sandbox" and not may_place_real_calls(callback.tenant_id):
        callbacks.record_skip(callback, "email_not_verified")
        return {"result": "skipped", "skip_reason": "email_not_verified"}
    now = clock.now()
    slot_wait = pacing_repository.take_slot(f"{carrier.name}#{callback.tenant_id}", carrier.calls_per_second, now)
    if slot_wait > 0:
        callbacks.reschedule(callback, now + timedelta(seconds=math.ceil(slot_wait)), target_arn=own_arn)
        return {"result": "rescheduled"}
    call = Call(id=callback.call_id or call_id_for(callback), tenant_id=callback.tenant_id,
                workflow_id=callback.workflow_id, run_id=callback.run_id, segment=0, target_phone=callback.target_phone,
                attempt=1, is_test=workflow.is_test, provider=carrier.name, created_at=now, reason="callback",
                callback_id=callback.id)
    placement = placement_of.place(call, workflow, carrier)
    if placement.result == "throttled":
        callbacks.reschedule(callback, now + timedelta(seconds=math.ceil(placement.retry_after_seconds) or 1),
                            target_arn=own_arn)
        return {"result": "rescheduled"}
    if placement.result in ("no_funds", "rejected"):
        reason = "no_funds" if placement.result == "no_funds" else "failed"
        callbacks.record_skip(callback, reason)
        return {"result": "skipped", "skip_reason": reason}
    if placement.result == "placed":
        runs.add_counters(callback.tenant_id, callback.workflow_id, callback.run_id, {"calls_placed": 1})
        callbacks.record_placed(callback)
    get_logger().info("callback call", extra={"callback_id": callback.id, "call_id": call.id,
                                              "result": placement.result})
    return {"result": placement.result, "call_id": call.id}
