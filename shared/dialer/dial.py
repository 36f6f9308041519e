"""One dialer step for one target: decide, right before dialing, whether and when this number may be called.

In order: the run still running (a pause stops new dials at once), the target not done, its calling window
(the recipient's legal hours in every zone of the number, and the rule book's window), the DNC list and NCPR
and the 7-day cool-down re-checked, the carrier's pace, funds reserved; then the call is placed with an id
unique to (run, target, attempt), so a retried step never dials twice. The step answers the state machine
through its task token: at once (wait, or done), or — once a call is placed — when the call's final status
event arrives (shared/dialer/call_events.py).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from shared.calls import repository as calls
from shared.calls.models import Call
from shared.dialer import pacing_repository, task_results
from shared.dialer import placement as placement_of
from shared.dialer import repository as runs
from shared.dialer.models import Step
from shared.platform import clock
from shared.platform.observability import get_logger
from shared.platform.settings import get_settings
from shared.workflows import windows

SKIP_OUTCOMES = {"dnc": "skipped_dnc", "ncpr": "skipped_dnc", "cooldown": "skipped_cooldown"}


def call_id_for(run_id: str, e164: str, attempt: int) -> str:
    digest = hashlib.sha256(f"{run_id}|{e164}|{attempt}".encode()).hexdigest()[:24]
    return f"call_{digest}"


def scaled_wait(seconds: float) -> int:
    """A wait as the state machine will sleep it: capped (targets are re-checked at least this often), scaled."""
    settings = get_settings()
    return max(1, math.ceil(min(seconds, settings.dialer_max_wait_seconds) * settings.dialer_wait_scale))


def run_step(payload: dict[str, Any]) -> None:
    """The `dialer_dial` task: answers through the token now, or leaves the token on the placed call."""
    token = payload["task_token"]
    step = Step.model_validate(payload["step"])
    answer = decide_and_dial(step, token)
    if answer is not None:
        task_results.release(token, answer)


def decide_and_dial(step: Step, token: str) -> dict[str, Any] | None:
    run = runs.get(step.tenant_id, step.workflow_id, step.run_id)
    if run is None or run.status != "running" or run.segment != step.segment:
        return step.then_done("paused")  # the target stays open: a resume dials it
    progress = runs.get_progress(step.tenant_id, step.run_id, step.phone)
    if progress is not None and progress.done:
        return step.then_done("finished")
    if progress is not None and progress.attempts >= step.attempt:
        return _already_placed(step, token)

    from shared.workflows import repository as workflows

    workflow = workflows.get(step.tenant_id, step.workflow_id)
    if workflow is None:
        return _finish(step, "failed", {"failed_calls": 1})
    now = clock.now()
    wait = windows.seconds_until_callable(workflow.rule_book.calling_window, step.phone, now)
    if wait is None:
        return _finish(step, "no_window", {"skipped_no_window": 1})
    if wait > 0:
        return step.then_wait(scaled_wait(wait))
    blocked = _blocked_by(step, first_attempt=progress is None or progress.attempts == 0)
    if blocked:
        return _finish(step, blocked, {SKIP_OUTCOMES[blocked]: 1})

    from shared.accounts.real_calls import may_place_real_calls
    from shared.onboarding.call_selection import get_call_carrier
    from shared.phones import country_of

    carrier = get_call_carrier(step.tenant_id, country_of(step.phone), workflow.is_test)
    if carrier.name != "sandbox" and not may_place_real_calls(step.tenant_id):
        # `run` checked the carrier of its day; the tenant's mode or credentials may have changed while the run
        # waited, so the carrier actually dialed is checked too: no real call, no spending, before verification.
        get_logger().warning("real call refused: no verified email", extra={"carrier": carrier.name})
        return _finish(step, "email_not_verified", {"failed_calls": 1})
    slot_wait = pacing_repository.take_slot(f"{carrier.name}#{step.tenant_id}", carrier.calls_per_second, now)
    if slot_wait > 0:
        return step.then_wait(math.ceil(slot_wait))
    return _place(step, token, workflow, carrier)


def _blocked_by(step: Step, *, first_attempt: bool) -> str | None:
    """"dnc", "ncpr" or "cooldown" when the number may not be called now — the upload's screening, again. The
    cool-down does not stop the run's own retries (busy, no answer): it counts from attempts before this run."""
    from shared.compliance.service import screen

    screening = screen(step.tenant_id, [step.phone], clock.now())
    if step.phone in screening.dnc:
        return "dnc"
    if step.phone in screening.ncpr:
        return "ncpr"
    return "cooldown" if first_attempt and step.phone in screening.cooldown else None


def _place(step: Step, token: str, workflow: Any, carrier: Any) -> dict[str, Any] | None:
    call = Call(id=call_id_for(step.run_id, step.phone, step.attempt), tenant_id=step.tenant_id,
                workflow_id=step.workflow_id, run_id=step.run_id, segment=step.segment, target_phone=step.phone,
                attempt=step.attempt, is_test=workflow.is_test, provider=carrier.name, task_token=token,
                created_at=clock.now(), sandbox_behaviour=step.sandbox_behaviour)
    # The token is on the call from its claim: the final status event releases the step, even if it comes first.
    placement = placement_of.place(call, workflow, carrier)
    if placement.result == "duplicate":
        return _already_placed(step, token)
    if placement.result == "no_funds":
        return _finish(step, "no_funds", {"skipped_no_funds": 1})
    if placement.result == "throttled":
        return step.then_wait(math.ceil(placement.retry_after_seconds))
    if placement.result == "rejected":
        return _finish(step, "failed", {"failed_calls": 1, "calls_placed": 1})
    runs.record_attempt(step.tenant_id, step.run_id, step.phone, step.attempt)
    runs.add_counters(step.tenant_id, step.workflow_id, step.run_id,
                      {"calls_placed": 1, "targets_dialed": 1 if step.attempt == 1 else 0})
    return None


def _already_placed(step: Step, token: str) -> dict[str, Any] | None:
    """A retried step for an attempt that was placed already: never dial again; wait for (or reuse) its end."""
    call_id = call_id_for(step.run_id, step.phone, step.attempt)
    existing = calls.get(step.tenant_id, call_id)
    if existing is None:
        return step.then_done("unknown_attempt")
    updated = calls.update(step.tenant_id, call_id, task_token=token)
    if updated.next_step:  # it ended already: go on from there, in this step's segment (a resume's may be newer)
        return {**updated.next_step, "segment": step.segment}
    if existing.status == "placing" and existing.provider_call_sid is None:
        # A step died between claiming and dialing: whether the carrier rang is unknown, so do not dial again.
        calls.update(step.tenant_id, call_id, status="failed", outcome="failed", ended_at=clock.now())
        return _finish(step, "failed", {"failed_calls": 1})
    return None


def _finish(step: Step, outcome: str, counters: dict[str, int]) -> dict[str, Any]:
    if runs.finish_target(step.tenant_id, step.run_id, step.phone, outcome):
        runs.add_counters(step.tenant_id, step.workflow_id, step.run_id, {**counters, "targets_finished": 1})
    return step.then_done(outcome)
