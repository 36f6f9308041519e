"""`wallet.low_balance`: the charge that takes the balance below the tenant's threshold says so, once per crossing.

The threshold is the autocharge threshold when one is set (the point the tenant already chose), else
`LOW_BALANCE_MINUTES` of calling at the wallet's rate. Every charge is one versioned write of the wallet, so of
concurrent charges exactly one goes from at-or-above to below: that one announces it, after its commit.
"""

from __future__ import annotations

from shared.billing.models import Wallet
from shared.platform.events import publish_event
from shared.platform.settings import get_settings


def threshold_minor(wallet: Wallet) -> int:
    if wallet.autocharge.threshold_minor is not None:
        return wallet.autocharge.threshold_minor
    return wallet.rate_per_minute_minor * get_settings().low_balance_minutes


def announce_if_crossed(before: Wallet, balance_after_minor: int) -> None:
    """Call after the commit of a charge that took the balance from `before.balance_minor` to `balance_after_minor`."""
    threshold = threshold_minor(before)
    if not before.balance_minor >= threshold > balance_after_minor:
        return
    rate = before.rate_per_minute_minor
    publish_event(before.tenant_id, "wallet.low_balance", {
        "balance_minor": balance_after_minor, "threshold_minor": threshold, "currency": before.currency,
        "rate_per_minute_minor": rate, "minutes_remaining": balance_after_minor // rate if rate else None,
        "autocharge_enabled": before.autocharge.enabled})
