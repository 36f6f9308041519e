"""Payments: the port every payment processor adapter implements.

Adapters: `StripeProcessor` (Stripe's HTTP API, when `payments_api_key` is set) and `SandboxProcessor`
(a local checkout page that pays with a signed webhook). Services get one through
`shared.providers.payments.selection.get_payment_processor()`.

Money leaves the processor only through the signed webhook: a checkout being created credits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

#: Put by an adapter on an off-session charge it starts (auto-recharge), so the payment's webhook event can be
#: told apart from a customer's checkout (`shared.payments.events` reads it back).
AUTOCHARGE_METADATA_KIND = "callfunnel_autocharge"


@dataclass(frozen=True)
class Checkout:
    external_id: str  # the processor's id; the webhook names it, and top-ups are keyed by it
    checkout_url: str  # where the customer pays ("" for an off-session charge of a saved method)


class PaymentProcessor(Protocol):
    #: "stripe" or "sandbox-processor": shown by /healthz.
    name: str

    def create_checkout(self, intent_id: str, tenant_id: int, amount_minor: int, currency: str,
                        return_url: str | None) -> Checkout:
        """A hosted checkout for `amount_minor` of `currency` ("USD"/"INR") carrying our `intent_id`.
        Raises shared.platform.errors.Upstream when the processor fails."""

    def charge_saved_method(self, tenant_id: int, amount_minor: int, currency: str,
                            intent_id: str) -> Checkout | None:
        """Charge the tenant's saved payment method off-session (auto-recharge); None when the tenant
        has no saved method. The outcome still arrives through the webhook."""
