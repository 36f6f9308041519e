"""Wallet, ledger, reservation and payment-event guard items on the tenant's partition (patterns 10–11, W1–W4).

Every change of money is one TransactWriteItems, optimistic on the wallet's `version`: the caller reads
the wallet, computes the new balance (and so each entry's `balance_after_minor`), and commits only if
nobody else committed in between; `StaleWallet` tells it to read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from shared.billing.models import Autocharge, LedgerEntry, Reservation, Wallet
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, transaction


class _WalletItem(TableItem, discriminator="Wallet"):
    tenant_id = NumberAttribute()
    currency = UnicodeAttribute()
    balance_minor = NumberAttribute()
    plan_tier = UnicodeAttribute()
    trial_expires_at = UTCDateTimeAttribute(null=True)
    rate_per_minute_minor = NumberAttribute()
    autocharge_enabled = BooleanAttribute(default=False)
    autocharge_threshold_minor = NumberAttribute(null=True)
    autocharge_amount_minor = NumberAttribute(null=True)
    autocharge_in_flight = BooleanAttribute(null=True)
    reserved_minor = NumberAttribute(null=True)
    version = NumberAttribute(null=True)  # absent on wallets opened at signup: version 0
    last_entry_at = UTCDateTimeAttribute(null=True)


class _LedgerItem(TableItem, discriminator="LedgerEntry"):
    entry_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    kind = UnicodeAttribute()
    amount_minor = NumberAttribute()
    balance_after_minor = NumberAttribute()
    currency = UnicodeAttribute()
    description = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    reference_id = UnicodeAttribute(null=True)


class _ReservationItem(TableItem, discriminator="Reservation"):
    reservation_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    amount_minor = NumberAttribute()
    state = UnicodeAttribute()
    charged_minor = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()


class _PaymentEventGuard(TableItem, discriminator="PaymentEventGuard"):
    tenant_id = NumberAttribute()
    entry_id = UnicodeAttribute()
    credited_at = UTCDateTimeAttribute()


def open_wallet(tx, wallet: Wallet, opening_entry: LedgerEntry) -> None:
    """Add the new wallet and its first ledger entry to a signup transaction."""
    tenant_pk = keys.tenant_pk(wallet.tenant_id)
    tx.save(_WalletItem(tenant_pk, keys.WALLET, tenant_id=wallet.tenant_id, currency=wallet.currency,
                        balance_minor=wallet.balance_minor, plan_tier=wallet.plan_tier,
                        trial_expires_at=wallet.trial_expires_at,
                        rate_per_minute_minor=wallet.rate_per_minute_minor,
                        autocharge_enabled=wallet.autocharge.enabled),
            condition=_WalletItem.PK.does_not_exist())
    tx.save(_ledger_item(opening_entry), condition=_LedgerItem.PK.does_not_exist())


def _ledger_item(entry: LedgerEntry) -> _LedgerItem:
    return _LedgerItem(keys.tenant_pk(entry.tenant_id), keys.ledger_sk(entry.created_at, entry.id),
                       entry_id=entry.id, tenant_id=entry.tenant_id, kind=entry.kind,
                       amount_minor=entry.amount_minor, balance_after_minor=entry.balance_after_minor,
                       currency=entry.currency, description=entry.description, created_at=entry.created_at,
                       reference_id=entry.reference_id)


def get_wallet(tenant_id: int) -> Wallet | None:
    try:
        item = _WalletItem.get(keys.tenant_pk(tenant_id), keys.WALLET)
    except DoesNotExist:
        return None
    return _wallet_of(item)


def wallet_from_raw(raw: dict) -> Wallet:
    return _wallet_of(_WalletItem.from_raw_data(raw))


def _wallet_of(item: _WalletItem) -> Wallet:
    return Wallet(tenant_id=item.tenant_id, currency=item.currency, balance_minor=item.balance_minor,
                  plan_tier=item.plan_tier, trial_expires_at=item.trial_expires_at,
                  rate_per_minute_minor=item.rate_per_minute_minor,
                  autocharge=Autocharge(enabled=item.autocharge_enabled,
                                        threshold_minor=item.autocharge_threshold_minor,
                                        amount_minor=item.autocharge_amount_minor),
                  reserved_minor=item.reserved_minor or 0, autocharge_in_flight=bool(item.autocharge_in_flight))


def _entry_of(item: _LedgerItem) -> LedgerEntry:
    return LedgerEntry(id=item.entry_id, tenant_id=item.tenant_id, kind=item.kind, amount_minor=item.amount_minor,
                       balance_after_minor=item.balance_after_minor, currency=item.currency,
                       description=item.description, created_at=item.created_at, reference_id=item.reference_id)


def ledger(tenant_id: int, limit: int) -> list[LedgerEntry]:
    return ledger_page(tenant_id, limit, None)[0]


def ledger_page(tenant_id: int, limit: int, after_sk: str | None) -> tuple[list[LedgerEntry], str | None]:
    """Newest first; `after_sk` is the sort key the previous page ended on (a cursor)."""
    tenant_pk = keys.tenant_pk(tenant_id)
    start = {"PK": {"S": tenant_pk}, "SK": {"S": after_sk}} if after_sk else None
    items = _LedgerItem.query(tenant_pk, _LedgerItem.SK.startswith(keys.LEDGER_PREFIX), scan_index_forward=False,
                              limit=limit, last_evaluated_key=start)
    entries = [_entry_of(item) for item in items]
    last = items.last_evaluated_key
    return entries, (last["SK"]["S"] if last and len(entries) == limit else None)


# --- Versioned wallet changes -------------------------------------------------------------------------


class StaleWallet(Exception):
    """Someone changed the wallet since it was read: read again and recompute."""


class AlreadyDone(Exception):
    """A once-only write failed its condition (`what`: "event", "reservation" or "intent")."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class WalletRecord:
    wallet: Wallet
    version: int
    last_entry_at: datetime | None


def read_wallet(tenant_id: int) -> WalletRecord | None:
    try:
        item = _WalletItem.get(keys.tenant_pk(tenant_id), keys.WALLET, consistent_read=True)
    except DoesNotExist:
        return None
    return WalletRecord(_wallet_of(item), int(item.version or 0), item.last_entry_at)


@dataclass
class WalletChange:
    """One atomic change: the wallet's new numbers plus the items written with them."""

    record: WalletRecord
    balance_minor: int
    reserved_minor: int
    entry: LedgerEntry | None = None
    guard_event_id: str | None = None  # created once, ever: the same event never credits twice
    reservation: Reservation | None = None  # put (state "held") or moved from "held" to its state
    autocharge_in_flight: bool | None = None
    extra: list = None  # (what, callable(tx)) pairs added by other stores, e.g. a top-up marked paid


def commit(change: WalletChange) -> None:
    """Raises StaleWallet (version moved on) or AlreadyDone (a once-only write already happened)."""
    record, wallet = change.record, change.record.wallet
    tenant_pk = keys.tenant_pk(wallet.tenant_id)
    versioned = (_WalletItem.version == record.version)
    if record.version == 0:
        versioned = _WalletItem.version.does_not_exist() | versioned
    actions = [_WalletItem.balance_minor.set(change.balance_minor),
               _WalletItem.reserved_minor.set(change.reserved_minor),
               _WalletItem.version.set(record.version + 1)]
    if change.entry is not None:
        actions.append(_WalletItem.last_entry_at.set(change.entry.created_at))
    if change.autocharge_in_flight is not None:
        actions.append(_WalletItem.autocharge_in_flight.set(change.autocharge_in_flight))
    labels = ["wallet"]
    try:
        with transaction() as tx:
            tx.update(_WalletItem(tenant_pk, keys.WALLET), actions=actions, condition=versioned)
            if change.entry is not None:
                tx.save(_ledger_item(change.entry), condition=_LedgerItem.PK.does_not_exist())
                labels.append("entry")
            if change.guard_event_id is not None:
                tx.save(_PaymentEventGuard(keys.payment_event_pk(change.guard_event_id), keys.PAYMENT_EVENT,
                                           tenant_id=wallet.tenant_id, entry_id=change.entry.id,
                                           credited_at=change.entry.created_at),
                        condition=_PaymentEventGuard.PK.does_not_exist())
                labels.append("event")
            if change.reservation is not None:
                _reservation_write(tx, change.reservation)
                labels.append("reservation")
            for what, add in change.extra or []:
                add(tx)
                labels.append(what)
    except TransactWriteError as error:
        reasons = getattr(error, "cancellation_reasons", None) or []
        failed = [labels[i] for i, reason in enumerate(reasons) if reason and reason.code == "ConditionalCheckFailed"]
        once_only = [what for what in failed if what not in ("wallet", "entry")]
        if once_only:
            raise AlreadyDone(once_only[0]) from error
        raise StaleWallet() from error  # version moved on, or a transaction conflict: read again


def _reservation_write(tx, reservation: Reservation) -> None:
    item = _ReservationItem(keys.tenant_pk(reservation.tenant_id), keys.reservation_sk(reservation.id))
    if reservation.state == "held":
        item.reservation_id, item.tenant_id = reservation.id, reservation.tenant_id
        item.amount_minor, item.state, item.created_at = reservation.amount_minor, "held", reservation.created_at
        tx.save(item, condition=_ReservationItem.PK.does_not_exist())
    else:
        tx.update(item, actions=[_ReservationItem.state.set(reservation.state),
                                 _ReservationItem.charged_minor.set(reservation.charged_minor)],
                  condition=_ReservationItem.state == "held")


def get_reservation(tenant_id: int, reservation_id: str) -> Reservation | None:
    try:
        item = _ReservationItem.get(keys.tenant_pk(tenant_id), keys.reservation_sk(reservation_id),
                                    consistent_read=True)
    except DoesNotExist:
        return None
    return Reservation(id=item.reservation_id, tenant_id=item.tenant_id, amount_minor=item.amount_minor,
                       state=item.state, charged_minor=item.charged_minor or 0, created_at=item.created_at)


def event_credited(event_id: str) -> bool:
    try:
        _PaymentEventGuard.get(keys.payment_event_pk(event_id), keys.PAYMENT_EVENT, consistent_read=True)
    except DoesNotExist:
        return False
    return True


def set_autocharge(tenant_id: int, autocharge: Autocharge) -> Wallet | None:
    """Configuration only (no money moves): no version bump needed; None if there is no wallet."""
    item = _WalletItem(keys.tenant_pk(tenant_id), keys.WALLET)
    actions = [_WalletItem.autocharge_enabled.set(autocharge.enabled)]
    for attribute, value in ((_WalletItem.autocharge_threshold_minor, autocharge.threshold_minor),
                             (_WalletItem.autocharge_amount_minor, autocharge.amount_minor)):
        actions.append(attribute.remove() if value is None else attribute.set(value))
    try:
        item.update(actions=actions, condition=_WalletItem.PK.exists())
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            return None
        raise
    return _wallet_of(item)


def clear_autocharge_in_flight(tenant_id: int) -> None:
    """The off-session charge could not start: let the next debit below the threshold try again."""
    _WalletItem(keys.tenant_pk(tenant_id), keys.WALLET).update(
        actions=[_WalletItem.autocharge_in_flight.set(False)], condition=_WalletItem.PK.exists())
