"""Callbacks: a call the callee asked for ("call me back tomorrow at 3pm"), scheduled once a human approved it (or
at once when the rule book's callback policy needs no approval), placed when it comes due."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

CallbackStatus = Literal["scheduled", "placed", "cancelled", "skipped"]
#: Why a due callback was not placed (the re-screen when it fired, or the call could not be placed).
SkipReason = Literal["dnc", "ncpr", "erased", "paused", "retired", "no_window", "no_funds", "email_not_verified",
                     "failed", "workflow_missing", "not_scheduled"]


class Callback(BaseModel):
    id: str  # derived from the call it came from: one callback per origin call (shared.callbacks.service)
    tenant_id: int
    workflow_id: str
    run_id: str
    target_phone: str
    status: CallbackStatus
    due_at: datetime  # UTC, inside the recipient's legal window and the rule book's calling window
    requested_text: str  # the callee's words for when, e.g. "tomorrow at 3pm"
    origin_call_id: str
    approval_id: str | None = None
    call_id: str | None = None  # the call it placed
    skip_reason: str | None = None
    created_at: datetime
    cancelled_at: datetime | None = None


class CallbackView(BaseModel):
    """One row of `GET /callbacks`."""

    id: str
    workflow_id: str
    run_id: str
    target_phone: str
    status: CallbackStatus
    due_at: datetime = Field(description="When it is placed (UTC), already moved inside the legal calling window")
    requested_text: str = Field(description="The callee's words for when, e.g. \"tomorrow at 3pm\"")
    origin_call_id: str
    approval_id: str | None
    call_id: str | None = Field(description="The call it placed; null until placed")
    skip_reason: str | None = Field(description="Why it was not placed: dnc, erased, paused, retired, no_funds, …")
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, callback: Callback) -> "CallbackView":
        return cls(**callback.model_dump(exclude={"tenant_id"}))


class CallbackList(BaseModel):
    callbacks: list[CallbackView]


class CallbackBrief(BaseModel):
    """What the agent of a callback call is told: what the callee asked, when, and what was said last time."""

    requested_text: str
    asked_at: datetime  # when the earlier call asked for it
    due_at: datetime
    previous_summary: str | None = None  # the earlier call's post-call analysis summary, when there is one
    previous_lines: list[tuple[str, str]] = Field(default_factory=list)  # (speaker "agent"|"callee", text), last few
