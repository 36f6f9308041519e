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
    #: Held for calls in progress (reservations); available = balance − reserved.
    reserved_minor: int = 0
    #: Set by the debit that crossed the autocharge threshold; cleared when a top-up lands.
    autocharge_in_flight: bool = False

    @property
    def available_minor(self) -> int:
        return self.balance_minor - self.reserved_minor


#: `payment_review`: a payment event that disagreed with our intent, recorded with amount 0 (never a credit).
LedgerKind = Literal["trial_credit", "topup", "autocharge", "call_charge", "number_charge", "refund",
                     "adjustment", "payment_review"]


class LedgerEntry(BaseModel):
    id: str
    tenant_id: int
    kind: LedgerKind
    amount_minor: int  # signed: credits > 0, debits < 0
    balance_after_minor: int
    currency: str
    description: str
    created_at: datetime
    #: What the entry is about: a reservation, a top-up intent, a number… (None for the trial credit).
    reference_id: str | None = None


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


class CreditResult(BaseModel):
    """`applied` is False when the external event was credited before (nothing changed)."""

    applied: bool
    balance_minor: int
    entry: LedgerEntry | None = None


class DebitResult(BaseModel):
    balance_minor: int
    entry: LedgerEntry
    autocharge_started: bool = False


class Reservation(BaseModel):
    id: str
    tenant_id: int
    amount_minor: int
    state: Literal["held", "settled", "released"]
    charged_minor: int = 0
    created_at: datetime


PrecheckStatus = Literal["ok", "insufficient_funds", "trial_expired", "account_suspended"]
#: The longest call a precheck answers for. A long call is a valid question (the answer is usually
#: insufficient_funds); only a duration beyond a year is refused as absurd (400 on expected_seconds).
PRECHECK_MAX_EXPECTED_SECONDS = 365 * 86_400


class Precheck(BaseModel):
    status: PrecheckStatus
    balance_minor: int
    available_minor: int
    required_minor: int
    currency: str


class HistoryEntry(BaseModel):
    id: str
    kind: LedgerKind
    amount_minor: int
    balance_after_minor: int
    currency: str
    description: str
    created_at: str
    reference_id: str | None = None


class History(BaseModel):
    entries: list[HistoryEntry]
    next_cursor: str | None


class TopupIntent(BaseModel):
    intent_id: str
    tenant_id: int
    amount_minor: int
    currency: str
    status: Literal["pending", "paid", "awaiting_payment_method", "failed"]
    external_id: str | None
    checkout_url: str | None
    kind: Literal["topup", "autocharge"] = "topup"
    created_at: datetime


ReviewReason = Literal["amount_mismatch", "currency_mismatch", "unknown_intent", "intent_mismatch"]


class PaymentReview(BaseModel):
    """A verified payment event we did not credit because it disagrees with our own records.

    `tenant_id`/`intent_id` are the intent the processor's id points at (None when it points at none);
    the `event_*` fields are what the event claimed, the `intent_*` fields what we expected."""

    event_id: str
    reason: ReviewReason
    external_id: str
    tenant_id: int | None
    intent_id: str | None
    event_amount_minor: int
    event_currency: str
    intent_amount_minor: int | None
    intent_currency: str | None
    created_at: datetime
