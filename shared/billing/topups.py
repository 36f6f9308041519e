"""Top-ups: a checkout intent now, the wallet credit only when the processor's signed event arrives.

The credit is exactly once twice over: per processor event id (a guard item, kept forever) and per
intent (pending → paid in the same transaction), so neither a replayed event nor a second event
about the same payment can credit it again. What is credited is the intent's amount, in the intent's
currency: an event that disagrees with the intent is held for review (`payment_review`), never credited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from shared.billing import ledger, payment_review, topups_repository
from shared.billing.models import TopupIntent, Wallet
from shared.billing.payment_processor import MAX_TOPUP_MINOR, MIN_TOPUP_MINOR, processor
from shared.billing.repository import AlreadyDone
from shared.platform import clock
from shared.platform.ids import new_id

if TYPE_CHECKING:
    from shared.providers.payments.port import PaymentProcessor

__all__ = ["MAX_TOPUP_MINOR", "MIN_TOPUP_MINOR", "processor"]  # re-exported: callers and tests name them here


def create_topup(wallet: Wallet, amount_minor: int, return_url: str | None,
                 payments: "PaymentProcessor | None" = None) -> TopupIntent:
    """A pending intent with the processor's checkout; the wallet is not credited here."""
    intent_id = new_id("top")
    checkout = (payments or processor()).create_checkout(intent_id, wallet.tenant_id, amount_minor,
                                                         wallet.currency, return_url)
    intent = TopupIntent(intent_id=intent_id, tenant_id=wallet.tenant_id, amount_minor=amount_minor,
                         currency=wallet.currency, status="pending", external_id=checkout.external_id,
                         checkout_url=checkout.checkout_url, created_at=clock.now_seconds())
    topups_repository.save_intent(intent)
    return intent


def find_topup_by_external_id(external_id: str) -> TopupIntent | None:
    return topups_repository.find_by_external_id(external_id)


def mark_topup_paid(intent: TopupIntent, event_id: str) -> bool:
    """Credit the intent's wallet with the intent's amount for this processor event. True when credited
    now, False if already."""
    kind = "autocharge" if intent.kind == "autocharge" else "topup"
    description = "Auto-recharge" if kind == "autocharge" else "Top-up"
    try:
        result = ledger.credit_wallet(intent.tenant_id, intent.amount_minor, kind=kind,
                                      description=description, external_event_id=event_id,
                                      reference_id=intent.intent_id,
                                      extra=[topups_repository.mark_paid_write(intent, event_id)])
    except AlreadyDone:  # pragma: no cover - credit_wallet turns it into applied=False
        return False
    return result.applied


TopupOutcome = Literal["credited", "duplicate", "review"]


def complete_topup(external_id: str, event_id: str, amount_minor: int, currency: str, *,
                   claimed_intent_id: str | None = None, claimed_tenant_id: str | None = None) -> TopupOutcome:
    """Called by the payment-events consumer for a succeeded payment: "credited" now, "duplicate" (this
    event, or this intent, was handled before), or "review" — the event disagrees with our own records
    (another amount, currency, tenant or intent, or no intent of ours) and was recorded, not credited.
    Money always comes from the intent, never from the event."""
    intent = find_topup_by_external_id(external_id)
    reason = payment_review.review_reason(intent, amount_minor, currency, claimed_intent_id=claimed_intent_id,
                                          claimed_tenant_id=claimed_tenant_id)
    if reason is not None:
        recorded = payment_review.hold_for_review(reason, intent, event_id=event_id, external_id=external_id,
                                                  amount_minor=amount_minor, currency=currency)
        return "review" if recorded else "duplicate"
    return "credited" if mark_topup_paid(intent, event_id) else "duplicate"
