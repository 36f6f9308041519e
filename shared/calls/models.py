"""One call attempt to one target: its carrier, status, conversation and outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

CallStatus = Literal["placing", "queued", "initiated", "ringing", "in-progress", "completed", "busy", "no-answer",
                     "failed", "canceled"]
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
CallOutcome = Literal["converted", "not_interested", "callback", "opted_out", "voicemail", "failed", "busy",
                      "no_answer", "no_response"]


class Call(BaseModel):
    id: str  # one per (run, target, attempt): the carrier idempotency key
    tenant_id: int
    workflow_id: str
    run_id: str
    segment: int
    target_phone: str
    attempt: int
    is_test: bool
    status: CallStatus = "placing"
    provider: str | None = None
    provider_call_sid: str | None = None
    answered_by: Literal["human", "machine"] | None = None
    outcome: CallOutcome | None = None
    transcript: list[dict[str, Any]] = Field(default_factory=list)  # [{speaker, text, at}]
    silences: int = 0  # turns the callee said nothing in a row
    objections: list[str] = Field(default_factory=list)  # rule-book objection triggers the callee raised
    pending_approval_id: str | None = None
    pending_concession: dict[str, Any] | None = None
    approval_ids: list[str] = Field(default_factory=list)
    reservation_id: str | None = None
    charged_minor: int = 0
    duration_seconds: int = 0
    task_token: str | None = None
    #: The dialer step to hand back to the state machine once the call is over (set by the final status event).
    next_step: dict[str, Any] | None = None
    created_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES
