"""Moving money: credits and debits, each one atomic write of ledger entry + balance (+ event guard).

Concurrency: optimistic on the wallet's version (see repository). Under contention a writer reads the
wallet again and recomputes, with jittered backoff; the balance can never go below zero because every
debit is checked against the version it read, and a stale version cancels the whole transaction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from shared.billing import autocharge, repository
from shared.billing.low_balance import announce_if_crossed
from shared.billing.models import CreditResult, DebitResult, LedgerEntry
from shared.billing.repository import AlreadyDone, StaleWallet, WalletChange, WalletRecord
from shared.platform import clock
from shared.platform.errors import NotFound, PaymentRequired, Unavailable
from shared.platform.ids import new_id

MAX_ATTEMPTS = 60
T = TypeVar("T")


def with_wallet(tenant_id: int, attempt: Callable[[WalletRecord], T]) -> T:
    """Run `attempt` on a fresh read of the wallet until it commits without a conflict."""
    for number in range(MAX_ATTEMPTS):
        record = repository.read_wallet(tenant_id)
        if record is None:
            raise NotFound("This workspace has no wallet", code="WALLET_NOT_FOUND")
        try:
            return attempt(record)
        except StaleWallet:
            time.sleep(random.uniform(0, min(0.005 * 2 ** number, 0.2)))
    raise Unavailable("The wallet is busy; try again", code="WALLET_BUSY")


def new_entry(record: WalletRecord, amount_minor: int, kind: str, description: str,
              reference_id: str | None) -> LedgerEntry:
    """An entry stamped after the wallet's last one, so the ledger's time order is its commit order."""
    at = clock.now()
    if record.last_entry_at is not None and at <= record.last_entry_at:
        at = record.last_entry_at + timedelta(microseconds=1)
    return LedgerEntry(id=new_id("led"), tenant_id=record.wallet.tenant_id, kind=kind, amount_minor=amount_minor,
                       balance_after_minor=record.wallet.balance_minor + amount_minor,
                       currency=record.wallet.currency, description=description, created_at=at,
                       reference_id=reference_id)


def credit_wallet(tenant_id: int, amount_minor: int, *, kind: str, description: str,
                  external_event_id: str | None, reference_id: str | None = None,
                  extra: list | None = None) -> CreditResult:
    """Add money. With `external_event_id`, that event credits once, forever: a repeat returns
    `applied=False` and changes nothing. `extra` joins other once-only writes to the same transaction."""
    if amount_minor <= 0:
        raise ValueError("a credit is a positive amount")

    def attempt(record: WalletRecord) -> CreditResult:
        if external_event_id is not None and repository.event_credited(external_event_id):
            return CreditResult(applied=False, balance_minor=record.wallet.balance_minor)
        entry = new_entry(record, amount_minor, kind, description, reference_id or external_event_id)
        change = WalletChange(record, balance_minor=entry.balance_after_minor,
                              reserved_minor=record.wallet.reserved_minor, entry=entry,
                              guard_event_id=external_event_id, extra=extra,
                              # any money in ends a pending auto-recharge: the next crossing may charge again
                              autocharge_in_flight=False if record.wallet.autocharge_in_flight else None)
        try:
            repository.commit(change)
        except AlreadyDone:
            return CreditResult(applied=False, balance_minor=record.wallet.balance_minor)
        return CreditResult(applied=True, balance_minor=entry.balance_after_minor, entry=entry)

    return with_wallet(tenant_id, attempt)


def debit_wallet(tenant_id: int, amount_minor: int, *, kind: str, description: str,
                 reference_id: str | None) -> DebitResult:
    """Take money, never more than is available (balance − reservations): 402 INSUFFICIENT_FUNDS."""
    if amount_minor <= 0:
        raise ValueError("a debit is a positive amount")

    def attempt(record: WalletRecord) -> DebitResult:
        wallet = record.wallet
        if wallet.available_minor < amount_minor:
            raise PaymentRequired("Insufficient funds in the wallet", code="INSUFFICIENT_FUNDS")
        entry = new_entry(record, -amount_minor, kind, description, reference_id)
        starts_autocharge = crosses_threshold(record, entry.balance_after_minor)
        repository.commit(WalletChange(record, balance_minor=entry.balance_after_minor,
                                       reserved_minor=wallet.reserved_minor, entry=entry,
                                       autocharge_in_flight=True if starts_autocharge else None))
        announce_if_crossed(wallet, entry.balance_after_minor)
        return DebitResult(balance_minor=entry.balance_after_minor, entry=entry, autocharge_started=starts_autocharge)

    result = with_wallet(tenant_id, attempt)
    if result.autocharge_started:
        autocharge.start(tenant_id)
    return result


def crosses_threshold(record: WalletRecord, balance_after_minor: int) -> bool:
    """Whether this debit starts an auto-recharge. At most one is in flight: the flag is set in the
    same versioned write as the debit, so of two concurrent debits only one can set it."""
    config = record.wallet.autocharge
    return (config.enabled and config.threshold_minor is not None and config.amount_minor is not None
            and not record.wallet.autocharge_in_flight and balance_after_minor < config.threshold_minor)
