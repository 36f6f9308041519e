"""Which payment processor runs: Stripe when its API key is configured, else the local sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.providers.payments.port import PaymentProcessor


def get_payment_processor() -> "PaymentProcessor":
    from shared.platform.settings import get_settings

    settings = get_settings()
    if settings.payments_api_key is not None:
        from shared.providers.payments.stripe import StripeProcessor

        return StripeProcessor(api_key=settings.payments_api_key.get_secret_value())
    from shared.providers.payments.sandbox import SandboxProcessor

    return SandboxProcessor()
