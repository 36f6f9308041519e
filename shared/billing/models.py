"""The prepaid wallet and its immutable ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class Autocharge(BaseModel):
    enabled: bool = False
    threshold_minor: int | None = None
    amount_minor: int | None = None


class Wallet(BaseModel):
    tenant_id: int
    currency: str
    balance_minor: int
    plan_tier: str
    trial_expires_at: datetime | None
    rate_per_minute_minor: int
    autocharge: Autocharge


class LedgerEntry(BaseModel):
    id: str
    tenant_id: int
    kind: Literal["trial_credit", "topup", "call_charge", "refund", "adjustment"]
    amount_minor: int
    balance_after_minor: int
    currency: str
    description: str
    created_at: datetime


class Balance(BaseModel):
    """`GET /billing/balance`, field for field as the reference's example."""

    tenant_id: int
    currency: str
    balance_minor: int
    plan_tier: str
    trial_expires_at: datetime | None
    minutes_remaining_at_bundled_rate: int
    rate_per_minute_minor: int
    autocharge: Autocharge
    topup_presets_minor: list[int]
