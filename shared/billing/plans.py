"""Prices and trial credit per wallet currency.

The bundled rate is 12¢/min in USD (the reference's example); the INR rate is its equivalent at
≈₹84/$, rounded to ₹10/min. Trial credit: $5 for USD tenants, ₹450 for INR (Indian) tenants.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CurrencyPlan:
    currency: str
    trial_credit_minor: int
    rate_per_minute_minor: int
    topup_presets_minor: tuple[int, ...]


PLANS: dict[str, CurrencyPlan] = {
    "USD": CurrencyPlan("USD", trial_credit_minor=500, rate_per_minute_minor=12,
                        topup_presets_minor=(1000, 2500, 5000, 10000, 25000)),
    "INR": CurrencyPlan("INR", trial_credit_minor=45000, rate_per_minute_minor=1000,
                        topup_presets_minor=(50000, 100000, 250000, 500000, 1000000)),
}

FREE_TIER = "free"


def currency_for_country(country: str) -> str:
    return "INR" if country == "IN" else "USD"


def plan_for(currency: str) -> CurrencyPlan:
    return PLANS[currency]
