"""The sandbox payment processor: no money moves, but the webhook path is the real one.

`create_checkout` records a pending checkout and points at a page the local stack serves
(`GET /_sandbox/checkout/{external_id}` → `sandbox_checkout_page`); paying there
(`POST` the same URL with `{"outcome": "succeeded"}` → `complete_sandbox_checkout`) makes the sandbox
send a correctly signed webhook to `/billing/webhooks/payment`, from a background thread, with the
retries and the duplicate a real processor sends.
"""

from __future__ import annotations

import json
from typing import Any

from shared.providers.payments.port import Checkout
from shared.providers.payments.sandbox_delivery import Post

OUTCOMES = {"succeeded": "checkout.succeeded", "failed": "checkout.failed"}
WEBHOOK_PATH = "/billing/webhooks/payment"


class SandboxProcessor:
    name = "sandbox-processor"

    def create_checkout(self, intent_id: str, tenant_id: int, amount_minor: int, currency: str,
                        return_url: str | None) -> Checkout:
        from shared.platform import clock
        from shared.platform.ids import new_id
        from shared.platform.settings import get_settings
        from shared.providers.payments import sandbox_repository as repository

        external_id = new_id("sbx")
        repository.save(repository.SandboxCheckout(external_id, intent_id, tenant_id, amount_minor, currency.upper(),
                                                   return_url, repository.PENDING, clock.now()))
        return Checkout(external_id=external_id,
                        checkout_url=f"{get_settings().public_base_url}/_sandbox/checkout/{external_id}")

    def charge_saved_method(self, tenant_id: int, amount_minor: int, currency: str,
                            intent_id: str) -> Checkout | None:
        return None  # the sandbox saves no payment method: auto-recharge stays pending


def sandbox_checkout_page(external_id: str) -> tuple[int, str]:
    """The checkout page's (status, HTML)."""
    from shared.providers.payments import sandbox_page
    from shared.providers.payments.sandbox_repository import find

    checkout = find(external_id)
    return (200, sandbox_page.render(checkout)) if checkout else (404, sandbox_page.not_found())


def complete_sandbox_checkout(external_id: str, outcome: str, *, post: Post | None = None) -> tuple[int, dict]:
    """Pay (or decline) a pending checkout: answer 202 at once, deliver the signed webhook in the background.
    `post` replaces the HTTP call (tests deliver straight to the webhook handler)."""
    from shared.platform.ids import new_id
    from shared.platform.settings import get_settings
    from shared.providers.payments import sandbox_delivery
    from shared.providers.payments.sandbox_repository import find, finish

    if outcome not in OUTCOMES:
        return 400, _error("outcome must be \"succeeded\" or \"failed\"", "VALIDATION_ERROR", field="outcome")
    checkout = find(external_id)
    if checkout is None:
        return 404, _error("No such sandbox checkout", "NOT_FOUND")
    secret = get_settings().payments_webhook_secret
    if secret is None:
        return 503, _error("PAYMENTS_WEBHOOK_SECRET is not set: the sandbox cannot sign webhooks",
                           "PAYMENTS_NOT_CONFIGURED")
    if not finish(external_id, outcome):
        return 409, _error("This checkout is already completed", "CHECKOUT_ALREADY_COMPLETED")
    event = {"id": new_id("evt"), "type": OUTCOMES[outcome],
             "data": {"external_id": external_id, "amount_minor": checkout.amount_minor,
                      "currency": checkout.currency}}
    body = json.dumps(event, separators=(",", ":")).encode()
    sandbox_delivery.deliver_in_background(f"{get_settings().public_base_url}{WEBHOOK_PATH}", body, _sign,
                                           post or sandbox_delivery.http_post)
    return 202, {"status": outcome, "external_id": external_id}


def _sign(body: bytes) -> dict[str, str]:
    # Read at each attempt: a rotation during the retries is picked up, as a processor would.
    from shared.platform import clock
    from shared.platform.settings import get_settings
    from shared.providers.payments.webhook_signing import signature_headers

    secret = get_settings().payments_webhook_secret
    return signature_headers(secret.get_secret_value() if secret else "", clock.epoch_seconds(), body)


def _error(message: str, code: str, field: str | None = None) -> dict[str, Any]:
    return {"error": message, "code": code, **({"field": field} if field else {})}
