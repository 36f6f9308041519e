"""Pure billing rules: threshold crossing, ledger entry ordering, autocharge validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.billing import autocharge
from shared.billing.ledger import crosses_threshold, new_entry
from shared.billing.models import Autocharge, Wallet
from shared.billing.repository import WalletRecord
from shared.platform import clock
from shared.platform.errors import Invalid

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _record(balance=500, in_flight=False, enabled=True, last_entry_at=None) -> WalletRecord:
    wallet = Wallet(tenant_id=1, currency="USD", balance_minor=balance, plan_tier="free", trial_expires_at=None,
                    rate_per_minute_minor=12, autocharge_in_flight=in_flight,
                    autocharge=Autocharge(enabled=enabled, threshold_minor=300, amount_minor=2500))
    return WalletRecord(wallet, version=3, last_entry_at=last_entry_at)


@pytest.mark.parametrize(("after", "in_flight", "enabled", "expected"), [
    (299, False, True, True), (300, False, True, False), (299, True, True, False), (299, False, False, False)])
def test_only_a_debit_below_the_threshold_with_nothing_in_flight_starts_an_autocharge(after, in_flight, enabled,
                                                                                        expected):
    assert crosses_threshold(_record(in_flight=in_flight, enabled=enabled), after) is expected


def test_a_new_entry_is_stamped_after_the_wallets_last_entry_even_if_the_clock_is_behind():
    clock.freeze(T0)
    try:
        entry = new_entry(_record(last_entry_at=T0), -10, "call_charge", "Call", None)
    finally:
        clock.freeze(None)
    assert entry.created_at > T0 and entry.balance_after_minor == 490


def test_enabling_autocharge_without_threshold_and_amount_lists_both_problems():
    with pytest.raises(Invalid) as invalid:
        autocharge.configure(1, True, None, None)
    assert {problem["field"] for problem in invalid.value.errors} == {"threshold_minor", "amount_minor"}


def test_a_negative_threshold_is_invalid():
    with pytest.raises(Invalid) as invalid:
        autocharge.configure(1, True, -1, 1000)
    assert invalid.value.field == "threshold_minor"
