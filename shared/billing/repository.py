"""Wallet and ledger items on the tenant's partition (patterns 10–11)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist

from shared.billing.models import Autocharge, LedgerEntry, Wallet
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem


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


class _LedgerItem(TableItem, discriminator="LedgerEntry"):
    entry_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    kind = UnicodeAttribute()
    amount_minor = NumberAttribute()
    balance_after_minor = NumberAttribute()
    currency = UnicodeAttribute()
    description = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


def open_wallet(tx, wallet: Wallet, opening_entry: LedgerEntry) -> None:
    """Add the new wallet and its first ledger entry to a signup transaction."""
    tenant_pk = keys.tenant_pk(wallet.tenant_id)
    tx.save(_WalletItem(tenant_pk, keys.WALLET, tenant_id=wallet.tenant_id, currency=wallet.currency,
                        balance_minor=wallet.balance_minor, plan_tier=wallet.plan_tier,
                        trial_expires_at=wallet.trial_expires_at,
                        rate_per_minute_minor=wallet.rate_per_minute_minor,
                        autocharge_enabled=wallet.autocharge.enabled),
            condition=_WalletItem.PK.does_not_exist())
    tx.save(_LedgerItem(tenant_pk, keys.ledger_sk(opening_entry.created_at, opening_entry.id),
                        entry_id=opening_entry.id, tenant_id=opening_entry.tenant_id, kind=opening_entry.kind,
                        amount_minor=opening_entry.amount_minor,
                        balance_after_minor=opening_entry.balance_after_minor,
                        currency=opening_entry.currency, description=opening_entry.description,
                        created_at=opening_entry.created_at),
            condition=_LedgerItem.PK.does_not_exist())


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
                                        amount_minor=item.autocharge_amount_minor))


def ledger(tenant_id: int, limit: int) -> list[LedgerEntry]:
    items = _LedgerItem.query(keys.tenant_pk(tenant_id), _LedgerItem.SK.startswith(keys.LEDGER_PREFIX),
                              scan_index_forward=False, limit=limit)
    return [LedgerEntry(id=item.entry_id, tenant_id=item.tenant_id, kind=item.kind,
                        amount_minor=item.amount_minor, balance_after_minor=item.balance_after_minor,
                        currency=item.currency, description=item.description, created_at=item.created_at)
            for item in items]
