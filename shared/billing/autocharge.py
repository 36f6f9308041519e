"""Auto-recharge: the configuration, and the one off-session charge a threshold crossing starts.

The debit that takes the balance below the threshold sets `autocharge_in_flight` in its own versioned
write (see ledger.crosses_threshold), so concurrent debits start at most one charge. The flag stays set
until money arrives (any credit clears it) — or is cleared here when the processor refused to start.
"""

from __future__ import annotations

from shared.billing import payment_processor, repository, topups_repository
from shared.billing.models import Autocharge, TopupIntent
from shared.billing.payment_processor import MAX_TOPUP_MINOR, MIN_TOPUP_MINOR
from shared.platform import clock
from shared.platform.errors import CallFunnelError, Invalid, NotFound
from shared.platform.ids import new_id
from shared.platform.observability import get_logger
from shared.providers.payments.port import PaymentProcessor


def configure(tenant_id: int, enabled: bool, threshold_minor: int | None, amount_minor: int | None) -> Autocharge:
    problems = []
    if enabled and threshold_minor is None:
        problems.append({"field": "threshold_minor", "message": "required when autocharge is enabled"})
    if enabled and amount_minor is None:
        problems.append({"field": "amount_minor", "message": "required when autocharge is enabled"})
    if threshold_minor is not None and threshold_minor < 0:
        problems.append({"field": "threshold_minor", "message": "must be 0 or more"})
    if amount_minor is not None and not MIN_TOPUP_MINOR <= amount_minor <= MAX_TOPUP_MINOR:
        problems.append({"field": "amount_minor",
                         "message": f"must be {MIN_TOPUP_MINOR}..{MAX_TOPUP_MINOR:_}"})
    if problems:
        raise Invalid(problems[0]["message"] if len(problems) == 1 else "Invalid autocharge settings",
                      code="INVALID_AUTOCHARGE", field=problems[0]["field"], errors=problems)
    config = Autocharge(enabled=enabled, threshold_minor=threshold_minor, amount_minor=amount_minor)
    wallet = repository.set_autocharge(tenant_id, config)
    if wallet is None:
        raise NotFound("This workspace has no wallet", code="WALLET_NOT_FOUND")
    return wallet.autocharge


def start(tenant_id: int, payments: "PaymentProcessor | None" = None) -> TopupIntent | None:
    """Charge the saved method once for the configured amount (the in-flight flag is already set).

    Never raises: the debit that triggered it has committed. Without a saved method (the sandbox) the
    intent is recorded as `awaiting_payment_method` and the flag stays set until a top-up lands."""
    record = repository.read_wallet(tenant_id)
    if record is None or record.wallet.autocharge.amount_minor is None:
        return None
    wallet = record.wallet
    intent_id = new_id("top")
    try:
        checkout = (payments or payment_processor.processor()).charge_saved_method(
            tenant_id, wallet.autocharge.amount_minor, wallet.currency, intent_id)
    except (CallFunnelError, OSError):
        get_logger().exception("auto-recharge could not start", extra={"tenant_id": tenant_id})
        repository.clear_autocharge_in_flight(tenant_id)
        return None
    intent = TopupIntent(intent_id=intent_id, tenant_id=tenant_id, amount_minor=wallet.autocharge.amount_minor,
                         currency=wallet.currency, kind="autocharge",
                         status="pending" if checkout else "awaiting_payment_method",
                         external_id=checkout.external_id if checkout else None,
                         checkout_url=(checkout.checkout_url or None) if checkout else None,
                         created_at=clock.now_seconds())
    topups_repository.save_intent(intent)
    return intent
