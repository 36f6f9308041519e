"""Wallet rules: opening a trial wallet at signup, the balance, the pre-call gate, the ledger's history."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from shared.auth.principal import Principal
from shared.billing import autocharge, ledger, plans, repository, topups
from shared.billing.models import (
    Autocharge,
    Balance,
    History,
    HistoryEntry,
    LedgerEntry,
    Precheck,
    TopupIntent,
    Wallet,
)
from shared.platform import clock, cursors
from shared.platform.errors import NotFound, PaymentRequired
from shared.platform.ids import new_id
from shared.platform.settings import get_settings
from shared.platform.storage import keys


def trial_wallet(tenant_id: int, currency: str, opened_at: datetime) -> tuple[Wallet, LedgerEntry]:
    """The wallet a new tenant starts with, and the ledger entry that credits its trial."""
    plan = plans.plan_for(currency)
    wallet = Wallet(tenant_id=tenant_id, currency=currency, balance_minor=plan.trial_credit_minor,
                    plan_tier=plans.FREE_TIER,
                    trial_expires_at=opened_at + timedelta(days=get_settings().trial_days),
                    rate_per_minute_minor=plan.rate_per_minute_minor, autocharge=Autocharge())
    entry = LedgerEntry(id=new_id("led"), tenant_id=tenant_id, kind="trial_credit",
                        amount_minor=plan.trial_credit_minor, balance_after_minor=plan.trial_credit_minor,
                        currency=currency, description="Trial credit", created_at=opened_at)
    return wallet, entry


def get_balance(principal: Principal) -> Balance:
    wallet = _wallet_of(principal)
    return Balance(
        tenant_id=wallet.tenant_id, currency=wallet.currency, balance_minor=wallet.balance_minor,
        plan_tier=wallet.plan_tier, trial_expires_at=wallet.trial_expires_at,
        minutes_remaining_at_bundled_rate=max(wallet.balance_minor, 0) // wallet.rate_per_minute_minor,
        rate_per_minute_minor=wallet.rate_per_minute_minor, autocharge=wallet.autocharge,
        topup_presets_minor=list(plans.plan_for(wallet.currency).topup_presets_minor),
    )


def wallet_currency(principal: Principal) -> str:
    """The currency the tenant's wallet (and so every call it pays for) is in."""
    return _wallet_of(principal).currency


def _wallet_of(principal: Principal) -> Wallet:
    wallet = principal.wallet or repository.get_wallet(principal.tenant_id)
    if wallet is None:
        raise NotFound("This workspace has no wallet", code="WALLET_NOT_FOUND")
    return wallet


def precheck(principal: Principal, expected_seconds: int) -> Precheck:
    """The pre-call gate: suspension, then trial expiry, then funds (reservations counted)."""
    return precheck_tenant(principal.tenant_id, expected_seconds, _wallet_of(principal))


def precheck_tenant(tenant_id: int, expected_seconds: int, wallet: Wallet | None = None) -> Precheck:
    """`precheck` for the dialer and scheduled runs, where no principal carries the wallet."""
    from shared.accounts.repository import get_tenant

    wallet = wallet or repository.get_wallet(tenant_id)
    if wallet is None:
        raise NotFound("This workspace has no wallet", code="WALLET_NOT_FOUND")
    required = -(-expected_seconds // 60) * wallet.rate_per_minute_minor  # whole minutes, rounded up
    tenant = get_tenant(tenant_id)
    if tenant is not None and tenant.status == "suspended":
        status = "account_suspended"
    elif (wallet.plan_tier == plans.FREE_TIER and wallet.trial_expires_at is not None
          and wallet.trial_expires_at <= clock.now()):
        status = "trial_expired"
    elif wallet.available_minor < required or wallet.available_minor <= 0:
        status = "insufficient_funds"
    else:
        status = "ok"
    return Precheck(status=status, balance_minor=wallet.balance_minor, available_minor=wallet.available_minor,
                    required_minor=required, currency=wallet.currency)


def history(principal: Principal, limit: int, cursor: str | None) -> History:
    after_sk = cursors.decode(cursor, _is_ledger_sort_key) if cursor else None
    entries, last_sk = repository.ledger_page(principal.tenant_id, limit, after_sk)
    return History(entries=[HistoryEntry(**entry.model_dump(exclude={"tenant_id", "created_at"}),
                                         created_at=clock.iso(entry.created_at)) for entry in entries],
                   next_cursor=cursors.encode(last_sk) if last_sk else None)


def _is_ledger_sort_key(sort_key: str) -> bool:
    return sort_key.startswith(keys.LEDGER_PREFIX) and len(sort_key) <= 200


def create_topup(principal: Principal, amount_minor: int, return_url: str | None) -> TopupIntent:
    """A checkout for the top-up (Idempotency-Key is honoured around the route, for every POST alike)."""
    return topups.create_topup(_wallet_of(principal), amount_minor, return_url)


def configure_autocharge(principal: Principal, enabled: bool, threshold_minor: int | None,
                         amount_minor: int | None) -> Autocharge:
    return autocharge.configure(principal.tenant_id, enabled, threshold_minor, amount_minor)


def charge_call_leg(tenant_id: int, seconds: int, *, reference_id: str, description: str) -> tuple[int, int]:
    """(minutes billed, amount charged) for a further leg of a call (a warm transfer's bridge to a person): each
    started minute at the wallet's call rate, like the call itself, as a `call_charge` ledger entry of its own. The
    leg has no reservation (it was not known when the call was placed), so it takes at most what is available."""
    if seconds <= 0:
        return 0, 0
    minutes = math.ceil(seconds / 60)
    wallet = repository.get_wallet(tenant_id)
    amount = min(minutes * wallet.rate_per_minute_minor, wallet.available_minor) if wallet is not None else 0
    if amount <= 0:
        return minutes, 0
    try:
        ledger.debit_wallet(tenant_id, amount, kind="call_charge", description=description, reference_id=reference_id)
    except PaymentRequired:  # the wallet was spent meanwhile (other calls settled): the leg goes uncharged
        return minutes, 0
    return minutes, amount
