"""Phone numbers as the API shows them: a tenant's own numbers and the carrier's available inventory."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

NumberStatus = Literal["active", "released"]
AcquiredVia = Literal["provision", "import"]


class PhoneNumber(BaseModel):
    """One number of a tenant (`GET /numbers`, provision, import, release)."""

    id: str
    phone_e164: str
    country: str
    status: NumberStatus
    provider: str  # "twilio" | "exotel" | "sandbox": release goes back to the carrier it came from
    provider_sid: str
    acquired_via: AcquiredVia
    capabilities: list[str]
    monthly_cost_minor: int  # recurring rent; it stops at released_at
    currency: str
    voice_url: str | None  # None once released (unwired)
    status_callback_url: str | None
    created_at: datetime
    released_at: datetime | None = None


class AvailableNumberView(BaseModel):
    """One result of `POST /numbers/search`: pass its `phone_e164` to `POST /numbers/provision`."""

    phone_e164: str
    country: str
    region: str | None
    locality: str | None
    capabilities: list[str]
    monthly_cost_minor: int
    currency: str
    provider: str
