"""Payment events that disagree with our own records: recorded for review, never credited.

A signed event proves the processor sent it, not that its numbers are ours to trust: the amount and
currency we credit are the intent's. An event claiming another amount or currency, naming another
tenant or intent, or pointing at no intent of ours is kept as a `PaymentReview` (the operators' listing),
logged as a warning, and — when we know the tenant — shown in its wallet history as a `payment_review`
entry of amount 0, written with the event's guard item in the wallet's own transaction. So a redelivery
changes nothing, and the intent stays pending: the genuine payment still credits it.
"""

from __future__ import annotations

from shared.billing import ledger, payment_review_repository, repository
from shared.billing.models import PaymentReview, ReviewReason, TopupIntent
from shared.billing.repository import AlreadyDone, WalletChange, WalletRecord
from shared.platform import clock
from shared.platform.observability import get_logger

REVIEW_KIND = "payment_review"


def review_reason(intent: TopupIntent | None, amount_minor: int, currency: str, *,
                  claimed_intent_id: str | None = None, claimed_tenant_id: str | None = None) -> ReviewReason | None:
    """Why this succeeded-payment event must not credit `intent` (None: it agrees with our records)."""
    if intent is None:
        return "unknown_intent"
    if ((claimed_intent_id is not None and claimed_intent_id != intent.intent_id)
            or (claimed_tenant_id is not None and claimed_tenant_id != str(intent.tenant_id))):
        return "intent_mismatch"
    if currency.upper() != intent.currency:
        return "currency_mismatch"
    if amount_minor != intent.amount_minor:
        return "amount_mismatch"
    return None


def hold_for_review(reason: ReviewReason, intent: TopupIntent | None, *, event_id: str, external_id: str,
                    amount_minor: int, currency: str) -> bool:
    """Record the event for review instead of crediting it. True when recorded now, False for a redelivery."""
    review = PaymentReview(event_id=event_id, reason=reason, external_id=external_id,
                           tenant_id=intent.tenant_id if intent else None,
                           intent_id=intent.intent_id if intent else None,
                           event_amount_minor=amount_minor, event_currency=currency.upper(),
                           intent_amount_minor=intent.amount_minor if intent else None,
                           intent_currency=intent.currency if intent else None, created_at=clock.now())
    recorded = _record_in_ledger(review, intent) if intent else payment_review_repository.record(review)
    if recorded:
        get_logger().warning("payment event held for review, not credited",
                             extra={key: value for key, value in review.model_dump(exclude={"created_at"}).items()})
    return recorded


def _record_in_ledger(review: PaymentReview, intent: TopupIntent) -> bool:
    """The review, a zero-amount entry in the tenant's ledger and the event's guard: all three or none."""
    description = (f"Payment event for top-up {intent.intent_id} not credited ({review.reason.replace('_', ' ')}): "
                   f"it claimed {review.event_amount_minor} {review.event_currency}, the top-up is "
                   f"{intent.amount_minor} {intent.currency}; held for review")

    def attempt(record: WalletRecord) -> bool:
        if repository.event_credited(review.event_id):
            return False
        entry = ledger.new_entry(record, 0, REVIEW_KIND, description, intent.intent_id)
        change = WalletChange(record, balance_minor=record.wallet.balance_minor,
                              reserved_minor=record.wallet.reserved_minor, entry=entry,
                              guard_event_id=review.event_id, extra=[payment_review_repository.record_write(review)])
        try:
            repository.commit(change)
        except AlreadyDone:
            return False
        return True

    return ledger.with_wallet(intent.tenant_id, attempt)
