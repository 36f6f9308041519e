"""Stripe, over its HTTP API with the standard library.

Why Stripe: one account settles both our USD tenants and our INR tenants (INR is a supported presentment
and settlement currency, with UPI and Indian cards in Checkout), its hosted Checkout Session is exactly
the "pay at a URL" flow we need, it saves the card for off-session auto-recharge in the same session
(`setup_future_usage`), and its webhooks are signed with the same HMAC-SHA256-over-`{t}.{body}` scheme as
ours (`shared.payments.signature` accepts `Stripe-Signature`). Razorpay covers INR well but its
international (USD) acceptance needs a separate approval, and its payment-link webhooks sign the body
only, without a timestamp, so replays could not be bounded in time.

The SDK is not needed: three form-encoded calls, with an Idempotency-Key so a retried create is safe.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from shared.platform.errors import Upstream
from shared.providers.payments.port import AUTOCHARGE_METADATA_KIND, Checkout

DEFAULT_BASE_URL = "https://api.stripe.com"
TIMEOUT_SECONDS = 10
PRODUCT_NAME = "CallFunnel wallet top-up"


class StripeProcessor:
    name = "stripe"

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout_seconds: float = TIMEOUT_SECONDS):
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds

    def create_checkout(self, intent_id: str, tenant_id: int, amount_minor: int, currency: str,
                        return_url: str | None) -> Checkout:
        back = return_url or _default_return_url()
        metadata = {"intent_id": intent_id, "tenant_id": str(tenant_id)}
        form = {
            "mode": "payment",
            "client_reference_id": intent_id,
            "success_url": back,
            "cancel_url": back,
            "customer_creation": "always",
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": currency.lower(),
            "line_items[0][price_data][unit_amount]": str(amount_minor),
            "line_items[0][price_data][product_data][name]": PRODUCT_NAME,
            # Saved for auto-recharge; the metadata on the PaymentIntent lets us find it again per tenant.
            "payment_intent_data[setup_future_usage]": "off_session",
            **{f"metadata[{key}]": value for key, value in metadata.items()},
            **{f"payment_intent_data[metadata][{key}]": value for key, value in metadata.items()},
        }
        session = self._call("POST", "/v1/checkout/sessions", form=form, idempotency_key=intent_id)
        return Checkout(external_id=str(session["id"]), checkout_url=str(session["url"]))

    def charge_saved_method(self, tenant_id: int, amount_minor: int, currency: str,
                            intent_id: str) -> Checkout | None:
        saved = self._saved_method(tenant_id)
        if saved is None:
            return None
        customer, payment_method = saved
        form = {
            "amount": str(amount_minor),
            "currency": currency.lower(),
            "customer": customer,
            "payment_method": payment_method,
            "off_session": "true",
            "confirm": "true",
            "metadata[kind]": AUTOCHARGE_METADATA_KIND,
            "metadata[intent_id]": intent_id,
            "metadata[tenant_id]": str(tenant_id),
        }
        try:
            intent = self._call("POST", "/v1/payment_intents", form=form, idempotency_key=intent_id)
        except _CardDeclined as declined:
            # The charge exists and failed; its payment_intent.payment_failed webhook reports it.
            return Checkout(external_id=declined.payment_intent_id, checkout_url="")
        return Checkout(external_id=str(intent["id"]), checkout_url="")

    def _saved_method(self, tenant_id: int) -> tuple[str, str] | None:
        """The customer and payment method of the tenant's latest successful payment, if any."""
        query = f"metadata['tenant_id']:'{int(tenant_id)}' AND status:'succeeded'"
        found = self._call("GET", "/v1/payment_intents/search", query={"query": query, "limit": "10"})
        for intent in found.get("data") or []:
            if intent.get("customer") and intent.get("payment_method"):
                return str(intent["customer"]), str(intent["payment_method"])
        return None

    def _call(self, method: str, path: str, *, form: dict[str, str] | None = None,
              query: dict[str, str] | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
        url = f"{self._base_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._api_key}")
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if idempotency_key:
            request.add_header("Idempotency-Key", idempotency_key)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise _error_from(error) from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise Upstream("Payment processor is unreachable", code="PAYMENTS_UPSTREAM") from error


class _CardDeclined(Upstream):
    def __init__(self, payment_intent_id: str) -> None:
        super().__init__("The saved payment method was declined", code="PAYMENT_DECLINED")
        self.payment_intent_id = payment_intent_id


def _error_from(error: urllib.error.HTTPError) -> Upstream:
    try:
        detail = json.loads(error.read()).get("error") or {}
    except (ValueError, AttributeError):
        detail = {}
    intent = detail.get("payment_intent") or {}
    if error.code == 402 and isinstance(intent, dict) and intent.get("id"):
        return _CardDeclined(str(intent["id"]))
    # Stripe's message names the problem without echoing secrets; the key itself is never included.
    message = str(detail.get("message") or f"HTTP {error.code}")[:200]
    return Upstream(f"Payment processor refused the request: {message}", code="PAYMENTS_UPSTREAM")


def _default_return_url() -> str:
    from shared.platform.settings import get_settings

    return f"{get_settings().public_base_url}/billing/balance"
