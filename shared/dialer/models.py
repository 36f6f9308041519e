"""Runs of a workflow's dialer, the step each target is at, and what the API shows of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

RunStatus = Literal["running", "paused", "completed", "failed"]
RunTrigger = Literal["api", "schedule"]

#: Run counters, each kept current by one atomic ADD where the event happens.
COUNTERS: tuple[str, ...] = (
    "targets_finished",  # targets the run is done with (whatever the outcome): a resume skips them
    "targets_dialed",  # targets called at least once
    "targets_connected",  # calls a person answered
    "targets_converted",
    "calls_placed",  # attempts, retries included
    "opted_out",
    "not_interested",
    "callbacks_requested",
    "transfers",  # calls the agent transferred to a person (issue 13 §5)
    "voicemails",
    "busy",
    "no_answer",
    "failed_calls",
    "skipped_dnc",  # on the DNC list or NCPR when their turn came
    "skipped_cooldown",
    "skipped_no_window",  # no legal calling time for the number within a week
    "skipped_no_funds",
    "minutes_billed",  # per call, each started minute
    "cost_minor",
)


class Run(BaseModel):
    id: str
    tenant_id: int
    workflow_id: str
    status: RunStatus
    trigger: RunTrigger
    is_test: bool
    segment: int = 1  # 1 + the number of resumes; each segment is one state machine execution
    currency: str
    targets_total: int
    started_at: datetime
    ended_at: datetime | None = None
    paused_at: datetime | None = None
    counters: dict[str, int] = Field(default_factory=dict)

    def count(self, name: str) -> int:
        return int(self.counters.get(name, 0))

    def execution_name(self) -> str:
        return f"{self.id}-{self.segment}"


class RunStarted(BaseModel):
    """`POST /workflows/{id}/run` 201."""

    run_id: str
    status: RunStatus
    targets_queued: int
    resumed: bool
    workflow_status: str


class RunPaused(BaseModel):
    """`POST /workflows/{id}/pause` 200."""

    workflow_id: str
    status: str  # the workflow's status: paused
    run_id: str | None
    run_status: RunStatus | None


class RunView(BaseModel):
    """One row of `GET /workflows/{id}/runs`: every counter, approvals counted from the approvals queue."""

    id: str
    workflow_id: str
    status: RunStatus
    trigger: RunTrigger
    is_test: bool
    started_at: datetime
    ended_at: datetime | None
    paused_at: datetime | None
    targets_total: int
    targets_queued: int
    targets_dialed: int
    targets_connected: int
    targets_converted: int
    targets_finished: int
    calls_placed: int
    opted_out: int
    not_interested: int
    callbacks_requested: int
    transfers: int = Field(0, description="Calls the agent transferred to a person")
    voicemails: int
    busy: int
    no_answer: int
    failed_calls: int
    skipped_dnc: int
    skipped_cooldown: int
    skipped_no_window: int
    skipped_no_funds: int
    approvals_pending: int
    concessions_decided: int
    minutes_billed: int
    cost_minor: int
    currency: str

    @classmethod
    def of(cls, run: Run, *, approvals_pending: int, concessions_decided: int) -> "RunView":
        counters = {name: run.count(name) for name in COUNTERS}
        return cls(id=run.id, workflow_id=run.workflow_id, status=run.status, trigger=run.trigger, is_test=run.is_test,
                   started_at=run.started_at, ended_at=run.ended_at, paused_at=run.paused_at,
                   targets_total=run.targets_total,
                   targets_queued=max(0, run.targets_total - run.count("targets_finished")),
                   approvals_pending=approvals_pending, concessions_decided=concessions_decided,
                   currency=run.currency, **counters)


class RunList(BaseModel):
    runs: list[RunView]


class TargetProgress(BaseModel):
    """Where one target of a run stands: `done` once the run has nothing more to do with it."""

    phone: str
    attempts: int = 0
    done: bool = False
    outcome: str | None = None


class Step(BaseModel):
    """What a dialer child execution carries from one `Dial` to the next (the state machine's state)."""

    tenant_id: int
    run_id: str
    workflow_id: str
    segment: int
    target: dict[str, Any]  # a manifest item: {"phone": e164, "name"?: ..., "sandbox_behaviour"?: ...}
    attempt: int = 1

    @property
    def phone(self) -> str:
        return str(self.target["phone"])

    @property
    def sandbox_behaviour(self) -> str | None:
        """The sandbox callee the target's audience row named (None: the number's last digit decides)."""
        return self.target.get("sandbox_behaviour") or None

    @staticmethod
    def target_of(phone: str, sandbox_behaviour: str | None) -> dict[str, Any]:
        """The target of a call's next attempt (what the call kept of its manifest item)."""
        return {"phone": phone, **({"sandbox_behaviour": sandbox_behaviour} if sandbox_behaviour else {})}

    def then_wait(self, seconds: int, *, attempt: int | None = None) -> dict[str, Any]:
        return {**self.model_dump(), "attempt": attempt or self.attempt, "next": "wait",
                "wait_seconds": max(1, int(seconds))}

    def then_done(self, reason: str) -> dict[str, Any]:
        return {**self.model_dump(), "next": "done", "reason": reason}
