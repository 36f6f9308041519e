"""Runs: start (or resume) a workflow's dialer, pause it, list its runs, and close a run when its execution ends.

`run` checks readiness (a valid rule book, an audience, consent attested, a number — or the sandbox carrier —,
not retired: else 409 naming each missing piece), prechecks the wallet (402), then records the run, makes the
workflow live and starts one state machine execution (named `{run_id}-{segment}`, so a double start is
refused by Step Functions itself). A paused run resumes as its next segment, with only its unfinished
targets. Everything heavy (reading and screening the audience) happens in the execution, so `run` answers
in a few requests whatever the audience size.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.accounts.real_calls import ensure_may_place_real_calls
from shared.auth.principal import Principal
from shared.dialer import repository as runs
from shared.dialer.models import Run, RunList, RunPaused, RunStarted, RunTrigger, RunView
from shared.platform import clock
from shared.platform.errors import CallFunnelError, Conflict, NotFound, PaymentRequired, Unavailable
from shared.platform.events import publish_event
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event, get_logger
from shared.platform.settings import get_settings
from shared.providers.orchestration.port import OrchestrationUnavailable
from shared.providers.orchestration.selection import get_orchestrator
from shared.workflows import repository as workflows
from shared.workflows import schedules
from shared.workflows.models import Workflow
from shared.workflows.service import audience_countries, tenant_country
from shared.workflows.validator import find_problems

SCHEDULED_KINDS = ("daily", "weekdays")
MAX_RUNS_LISTED = 50
_SAVE_ATTEMPTS = 3


def start_run(principal: Principal, workflow_id: str) -> RunStarted:
    return start(principal.tenant_id, workflow_id, trigger="api")


def start(tenant_id: int, workflow_id: str, *, trigger: RunTrigger) -> RunStarted:
    workflow = _find(tenant_id, workflow_id)
    if workflow.status == "retired":
        raise Conflict("A retired workflow cannot run", code="WORKFLOW_RETIRED")
    latest = next(iter(runs.newest(tenant_id, workflow_id, 1)), None)
    # A paused run may resume while its last execution is still winding down (calls in flight finishing).
    if workflow.active_run_id is not None and not (latest and latest.id == workflow.active_run_id
                                                   and latest.status == "paused"):
        raise Conflict("A run of this workflow is in progress", code="RUN_IN_PROGRESS")
    targets_total = _readiness(workflow)
    currency = _precheck(workflow)
    if latest is not None and latest.status == "paused":
        run = runs.resume(latest, targets_total=targets_total)
        if run is None:
            raise Conflict("The run changed meanwhile; try again", code="RUN_IN_PROGRESS")
        resumed = True
    else:
        run = Run(id=new_id("run"), tenant_id=tenant_id, workflow_id=workflow_id, status="running", trigger=trigger,
                  is_test=workflow.is_test, currency=currency, targets_total=targets_total, started_at=clock.now())
        runs.create(run)
        resumed = False
    workflow = _change_workflow(workflow, lambda w: {"status": "live", "active_run_id": run.id,
                                                     "runs_count": w.runs_count + (0 if resumed else 1)})
    _start_execution(run, workflow)
    if trigger == "api" and workflow.rule_book.schedule_kind in SCHEDULED_KINDS:
        schedules.arm(workflow)
    count_business_event("RunResumed" if resumed else "RunStarted")
    publish_event(tenant_id, "run.started", {"run_id": run.id, "workflow_id": workflow_id, "trigger": trigger,
                                             "resumed": resumed, "is_test": run.is_test,
                                             "targets_total": targets_total, "started_at": run.started_at})
    return RunStarted(run_id=run.id, status="running", resumed=resumed, workflow_status=workflow.status,
                      targets_queued=max(0, targets_total - run.count("targets_finished")))


def pause_run(principal: Principal, workflow_id: str) -> RunPaused:
    """New dials stop at once (each step re-reads the run); calls in flight finish; `run` resumes."""
    workflow = _find(principal.tenant_id, workflow_id)
    if workflow.status != "live":
        raise Conflict(f"Only a live workflow can be paused; this one is {workflow.status}", code="WORKFLOW_NOT_LIVE")
    run = runs.get(principal.tenant_id, workflow_id, workflow.active_run_id) if workflow.active_run_id else None
    paused = run is not None and run.status == "running" and runs.set_status(run, "paused", at=clock.now(),
                                                                             expected=("running",))
    _change_workflow(workflow, lambda w: {"status": "paused"})
    schedules.disarm(workflow)
    return RunPaused(workflow_id=workflow_id, status="paused", run_id=run.id if run else None,
                     run_status="paused" if paused else (run.status if run else None))


def list_runs(principal: Principal, workflow_id: str, limit: int = MAX_RUNS_LISTED) -> RunList:
    _find(principal.tenant_id, workflow_id)
    found = runs.newest(principal.tenant_id, workflow_id, limit)
    pending, decided = _approval_counts(principal.tenant_id, workflow_id)
    return RunList(runs=[RunView.of(run, approvals_pending=pending.get(run.id, 0),
                                    concessions_decided=decided.get(run.id, 0)) for run in found])


def finish(payload: dict) -> dict:
    """The state machine's last step: close the run (unless it was paused or resumed) and free the workflow."""
    tenant_id, workflow_id, run_id = int(payload["tenant_id"]), str(payload["workflow_id"]), str(payload["run_id"])
    segment = int(payload["segment"])
    run = runs.get(tenant_id, workflow_id, run_id)
    if run is None or run.segment != segment:
        return {"status": "superseded"}  # the run was resumed: the newer execution owns it now
    failed = "failure" in payload
    closed = False
    if run.status == "running" and run.segment == segment:
        closed = runs.set_status(run, "failed" if failed else "completed", at=clock.now(), expected=("running",),
                                 segment=segment)
        if failed:
            get_logger().error("dialer execution failed", extra={"run_id": run_id, "failure": payload["failure"]})
    workflow = workflows.get(tenant_id, workflow_id)
    if workflow is not None and workflow.active_run_id == run_id:
        after = runs.get(tenant_id, workflow_id, run_id)
        one_off = workflow.rule_book.schedule_kind not in SCHEDULED_KINDS
        _change_workflow(workflow, lambda w: {
            "active_run_id": None,
            # A one-off campaign that has called everyone rests as paused (editable, can run again).
            **({"status": "paused"} if one_off and w.status == "live" and after and after.status != "running"
               else {})})
    final = runs.get(tenant_id, workflow_id, run_id)
    if closed and final is not None:
        _announce_completion(final)
    return {"status": final.status if final else "unknown"}


def _announce_completion(run: Run) -> None:
    """`run.completed`: how the run ended (completed, or failed) and every counter, as `GET .../runs` shows them."""
    pending, decided = _approval_counts(run.tenant_id, run.workflow_id)
    view = RunView.of(run, approvals_pending=pending.get(run.id, 0), concessions_decided=decided.get(run.id, 0))
    publish_event(run.tenant_id, "run.completed", {"run_id": run.id, **view.model_dump(mode="json", exclude={"id"})})


def _find(tenant_id: int, workflow_id: str) -> Workflow:
    workflow = workflows.get(tenant_id, workflow_id)
    if workflow is None:
        raise NotFound("No such workflow in this workspace", code="WORKFLOW_NOT_FOUND")
    return workflow


def _readiness(workflow: Workflow) -> int:
    """The audience size, after checking everything a run needs; 409 naming each missing piece."""
    from shared.audience import repository as audience

    problems: list[dict[str, str]] = []
    summary = audience.get_summary(workflow.tenant_id, workflow.id)
    total = summary.total_targets if summary else 0
    if total == 0:
        problems.append({"field": "audience", "message": "Upload an audience with at least one callable number"})
    country = tenant_country(workflow.tenant_id)
    if find_problems(workflow.rule_book, audience_countries(workflow, country) if total else {country}):
        problems.append({"field": "rule_book", "message": "The rule book breaks the rules; regenerate or edit it"})
    if workflow.compliance.consent_attested_at is None:
        problems.append({"field": "compliance", "message": "A logged-in user must attest consent "
                                                           "(PUT /workflows/{id}/compliance)"})
    if not _has_caller(workflow, country):
        problems.append({"field": "number", "message": "Provision or import a number for this carrier first"})
    if problems:
        missing = ", ".join(problem["field"] for problem in problems)
        raise Conflict(f"The workflow is not ready to run: {missing}", code="WORKFLOW_NOT_READY",
                       field=problems[0]["field"], errors=problems)
    return total


def _has_caller(workflow: Workflow, country: str) -> bool:
    """Whether the carrier has a number to call from; a real carrier's calls first need a verified email (409)."""
    from shared.numbers import repository as numbers
    from shared.onboarding.call_selection import get_call_carrier

    carrier = get_call_carrier(workflow.tenant_id, country, workflow.is_test)
    if carrier.name == "sandbox":
        return True
    ensure_may_place_real_calls(workflow.tenant_id)
    return any(number.status == "active" and number.provider == carrier.name
               for number in numbers.list_for_tenant(workflow.tenant_id))


def _precheck(workflow: Workflow) -> str:
    """The wallet's currency; 402 when a call could not be paid (a test workflow is never billed)."""
    from shared.billing.service import precheck_tenant

    check = precheck_tenant(workflow.tenant_id, workflow.rule_book.max_call_seconds)
    if not workflow.is_test and check.status != "ok":
        raise PaymentRequired(f"The wallet cannot pay for a call: {check.status}", code=check.status.upper())
    return check.currency


def _change_workflow(workflow: Workflow, changes: Callable[[Workflow], dict]) -> Workflow:
    """Apply `changes` under the workflow's optimistic lock, re-reading on a concurrent change."""
    for _ in range(_SAVE_ATTEMPTS):
        try:
            return workflows.save(workflow.model_copy(update={**changes(workflow), "updated_at": clock.now_seconds()}))
        except Conflict:
            fresh = workflows.get(workflow.tenant_id, workflow.id)
            if fresh is None:
                raise
            workflow = fresh
    raise Conflict("The workflow changed meanwhile; try again", code="WORKFLOW_CHANGED")


def _start_execution(run: Run, workflow: Workflow) -> None:
    arn = get_settings().dialer_state_machine_arn
    execution_input = {"tenant_id": run.tenant_id, "run_id": run.id, "workflow_id": run.workflow_id,
                       "segment": run.segment}
    try:
        if not arn:
            raise Unavailable("The dialer is not configured", code="DIALER_UNAVAILABLE")
        get_orchestrator().start_execution(arn, run.execution_name(), execution_input)
    except Unavailable as error:
        runs.set_status(run, "failed", at=clock.now(), expected=("running",))
        _change_workflow(workflow, lambda w: {"active_run_id": None, "status": "paused"})
        if not isinstance(error, OrchestrationUnavailable):
            raise
        raise Unavailable("The dialer could not start; try again", code="DIALER_UNAVAILABLE") from error


def _approval_counts(tenant_id: int, workflow_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """Per run: approvals still pending, and concessions a human decided (one Query of the approvals)."""
    from shared.approvals import repository as approvals

    now = clock.now()
    pending: dict[str, int] = {}
    decided: dict[str, int] = {}
    for approval in approvals.list_for_tenant(tenant_id, workflow_id=workflow_id):
        status = approval.status_at(now)
        if status == "pending":
            pending[approval.run_id] = pending.get(approval.run_id, 0) + 1
        elif status in ("approved", "denied") and approval.proposed_action == "concession":
            decided[approval.run_id] = decided.get(approval.run_id, 0) + 1
    return pending, decided


def start_scheduled(event: dict) -> dict:
    """The `scheduled_runs` function: start the run; a run already going or a workflow not ready is logged."""
    tenant_id, workflow_id = int(event["tenant_id"]), str(event["workflow_id"])
    try:
        started = start(tenant_id, workflow_id, trigger="schedule")
    except CallFunnelError as refused:
        get_logger().warning("scheduled run not started", extra={"workflow_id": workflow_id, "code": refused.code})
        return {"started": False, "code": refused.code}
    return {"started": True, "run_id": started.run_id, "targets_queued": started.targets_queued}
