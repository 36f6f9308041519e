"""Reservations for the dialer: hold a call's expected cost, then settle the actual cost or release it.

A held amount is not spendable (available = balance − reserved) but stays in the balance until the
call is settled. Each operation is idempotent per reservation id: repeating it returns the reservation
as it is. The hold is the call's budget: a settle charges the actual cost, capped at what was held plus
what is still available (`charged_minor` says what was taken), so the balance never goes below zero.
"""

from __future__ import annotations

from shared.billing import autocharge as recharge
from shared.billing import repository
from shared.billing.ledger import crosses_threshold, new_entry, with_wallet
from shared.billing.low_balance import announce_if_crossed
from shared.billing.models import Reservation
from shared.billing.repository import AlreadyDone, WalletChange, WalletRecord
from shared.platform import clock
from shared.platform.errors import NotFound, PaymentRequired


def reserve(tenant_id: int, amount_minor: int, reservation_id: str) -> Reservation:
    if amount_minor <= 0:
        raise ValueError("a reservation is a positive amount")

    def attempt(record: WalletRecord) -> Reservation:
        existing = repository.get_reservation(tenant_id, reservation_id)
        if existing is not None:
            return existing
        if record.wallet.available_minor < amount_minor:
            raise PaymentRequired("Insufficient funds to reserve this call", code="INSUFFICIENT_FUNDS")
        held = Reservation(id=reservation_id, tenant_id=tenant_id, amount_minor=amount_minor, state="held",
                           created_at=clock.now())
        try:
            repository.commit(WalletChange(record, balance_minor=record.wallet.balance_minor,
                                           reserved_minor=record.wallet.reserved_minor + amount_minor,
                                           reservation=held))
        except AlreadyDone:
            return _current(tenant_id, reservation_id)
        return held

    return with_wallet(tenant_id, attempt)


def settle(tenant_id: int, reservation_id: str, actual_minor: int, *,
           description: str = "Call charge") -> Reservation:
    """Charge the call's actual cost from its hold and release the rest."""
    if actual_minor < 0:
        raise ValueError("a charge is not negative")
    return _finish(tenant_id, reservation_id, actual_minor, description)


def release(tenant_id: int, reservation_id: str) -> Reservation:
    """Give the whole hold back (the call never connected)."""
    return _finish(tenant_id, reservation_id, 0, "")


def _finish(tenant_id: int, reservation_id: str, actual_minor: int, description: str) -> Reservation:
    def attempt(record: WalletRecord) -> Reservation:
        held = _current(tenant_id, reservation_id)
        if held.state != "held":
            return held
        wallet = record.wallet
        reserved_after = wallet.reserved_minor - held.amount_minor
        charge = min(actual_minor, wallet.balance_minor - reserved_after)  # never below zero
        entry = new_entry(record, -charge, "call_charge", description, reservation_id) if charge else None
        balance_after = wallet.balance_minor - charge
        finished = held.model_copy(update={"state": "settled" if actual_minor else "released",
                                           "charged_minor": charge})
        autocharge = crosses_threshold(record, balance_after) if charge else False
        try:
            repository.commit(WalletChange(record, balance_minor=balance_after, reserved_minor=reserved_after,
                                           entry=entry, reservation=finished,
                                           autocharge_in_flight=True if autocharge else None))
        except AlreadyDone:
            return _current(tenant_id, reservation_id)
        announce_if_crossed(wallet, balance_after)
        if autocharge:
            recharge.start(tenant_id)
        return finished

    return with_wallet(tenant_id, attempt)


def _current(tenant_id: int, reservation_id: str) -> Reservation:
    reservation = repository.get_reservation(tenant_id, reservation_id)
    if reservation is None:
        raise NotFound("No such reservation", code="RESERVATION_NOT_FOUND")
    return reservation
