"""Crediting wallets from queued payment events, exactly once per event id.

The once-only guarantee lives in the wallet (`complete_topup` writes a guard item per event id in the
same transaction as the credit), so a duplicate delivery, a queue redelivery or a replay weeks later is
acknowledged without a second credit. The amount credited is the intent's: an event that disagrees with
our records is held for review (recorded, logged, acknowledged — a retry cannot fix it). Anything else that
fails propagates, so SQS retries the record and finally parks it in the DLQ.
"""

from __future__ import annotations

from shared.payments.events import PaymentEvent
from shared.platform.observability import get_logger

CREDITED, DUPLICATE, REVIEW, NOT_A_CREDIT = "credited", "duplicate", "review", "not_a_credit"


def handle_message(body: str) -> str:
    """Process one queued event; returns what happened (for logs and tests). A malformed body raises:
    it was written by our own webhook function, so it belongs in the DLQ for a human to read."""
    event = PaymentEvent.model_validate_json(body)
    log = {"event_id": event.id, "external_id": event.data.external_id, "event_type": event.type}
    if event.type != "checkout.succeeded":
        get_logger().info("payment event needs no credit", extra=log)
        return NOT_A_CREDIT
    from shared.billing.topups import complete_topup

    outcome = complete_topup(event.data.external_id, event.id, event.data.amount_minor, event.data.currency,
                             claimed_intent_id=event.data.intent_id, claimed_tenant_id=event.data.tenant_id)
    get_logger().info(f"payment event {outcome}", extra=log)
    return outcome
