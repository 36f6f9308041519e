"""The customer timeline: one event per thing that happened to a contact (call, message, DNC change, …)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

#: Known kinds; the contract leaves the list open ("..."), so other short names are accepted too.
EventKind = Literal["call", "wa_message", "email", "decision", "dnc", "audience"] | str
Direction = Literal["inbound", "outbound"]


class TimelineContact(BaseModel):
    """Who the event is about; an event is filed under every identifier it names."""

    phone: str | None = None  # E.164
    email: str | None = None  # lower-cased on write
    user_id: str | None = None

    def identifiers(self) -> list[tuple[str, str]]:
        found = [("phone", self.phone), ("email", (self.email or "").strip().lower() or None),
                 ("user", self.user_id)]
        return [(kind, value) for kind, value in found if value]


class TimelineEvent(BaseModel):
    id: str
    tenant_id: int
    at: datetime
    kind: EventKind = Field(min_length=1, max_length=40)
    direction: Direction | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    summary: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)
    contact: TimelineContact


class TimelineEventView(BaseModel):
    """What `GET /timeline` shows of an event."""

    at: datetime
    kind: str
    direction: Direction | None
    workflow_id: str | None
    run_id: str | None
    summary: str
    payload: dict[str, Any]


class TimelinePage(BaseModel):
    count: int
    events: list[TimelineEventView]
