"""Wallet rules: opening a trial wallet at signup, reading the balance."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.auth.principal import Principal
from shared.billing import plans, repository
from shared.billing.models import Autocharge, Balance, LedgerEntry, Wallet
from shared.platform.errors import NotFound
from shared.platform.ids import new_id
from shared.platform.settings import get_settings


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
    wallet = principal.wallet or repository.get_wallet(principal.tenant_id)
    if wallet is None:
        raise NotFound("This workspace has no wallet", code="WALLET_NOT_FOUND")
    return Balance(
        tenant_id=wallet.tenant_id, currency=wallet.currency, balance_minor=wallet.balance_minor,
        plan_tier=wallet.plan_tier, trial_expires_at=wallet.trial_expires_at,
        minutes_remaining_at_bundled_rate=max(wallet.balance_minor, 0) // wallet.rate_per_minute_minor,
        rate_per_minute_minor=wallet.rate_per_minute_minor, autocharge=wallet.autocharge,
        topup_presets_minor=list(plans.plan_for(wallet.currency).topup_presets_minor),
    )
