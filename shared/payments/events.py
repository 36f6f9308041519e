"""The payment event: what a verified webhook says, normalised, and what travels on the queue.

Our schema (the sandbox processor sends it; any processor can be bridged to it):
`{"id": "evt_…", "type": "checkout.succeeded" | "checkout.failed",
  "data": {"external_id": "…", "amount_minor": 1000, "currency": "USD", "intent_id"?: "top_…", "tenant_id"?: "38"}}`.
`intent_id`/`tenant_id` are what the processor says the payment is for (Stripe: the metadata we set on
the checkout); when present they must agree with the intent the external id points at.
Stripe's own events are translated here, so the real adapter needs no bridge: a Checkout Session
completing (or an auto-recharge PaymentIntent we created) becomes the same event.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from shared.platform.errors import BadRequest
from shared.providers.payments.port import AUTOCHARGE_METADATA_KIND  # set by the adapter on off-session charges

EventType = Literal["checkout.succeeded", "checkout.failed"]
MAX_AMOUNT_MINOR = 10_000_000_000  # far above any top-up; rejects absurd numbers early


class PaymentEventData(BaseModel):
    model_config = ConfigDict(extra="ignore")
    external_id: str = Field(min_length=1, max_length=200)
    amount_minor: StrictInt = Field(ge=0, le=MAX_AMOUNT_MINOR)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    intent_id: str | None = Field(default=None, max_length=200)
    tenant_id: str | None = Field(default=None, max_length=40)


class PaymentEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=200)
    type: EventType
    data: PaymentEventData


#: Stripe event types we act on, and what they mean for us.
_STRIPE_CHECKOUT = {
    "checkout.session.completed": "checkout.succeeded",
    "checkout.session.async_payment_succeeded": "checkout.succeeded",
    "checkout.session.async_payment_failed": "checkout.failed",
    "checkout.session.expired": "checkout.failed",
}
_STRIPE_AUTOCHARGE = {"payment_intent.succeeded": "checkout.succeeded",
                      "payment_intent.payment_failed": "checkout.failed"}


def parse_event(raw: bytes) -> PaymentEvent | None:
    """The event in a verified body; None for event types we do not act on (acknowledged, not queued).
    400 MALFORMED_EVENT when the body is not an event we can read."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise BadRequest("Webhook body is not valid JSON", code="MALFORMED_EVENT") from error
    if not isinstance(document, dict):
        raise BadRequest("Webhook body must be a JSON object", code="MALFORMED_EVENT")
    if document.get("object") == "event":
        document = _from_stripe(document)
        if document is None:
            return None
    elif document.get("type") not in ("checkout.succeeded", "checkout.failed"):
        return None
    try:
        return PaymentEvent.model_validate(document)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise BadRequest(f"Webhook event is malformed: {field}: {problem['msg']}", code="MALFORMED_EVENT",
                         field=field) from error


def _from_stripe(event: dict[str, Any]) -> dict[str, Any] | None:
    kind = event.get("type")
    obj = (event.get("data") or {}).get("object") or {}
    if not isinstance(obj, dict):
        return None
    if kind in _STRIPE_CHECKOUT:
        ours = _STRIPE_CHECKOUT[kind]
        if kind == "checkout.session.completed" and obj.get("payment_status") != "paid":
            return None  # delayed methods: the async_payment_* event follows
        amount = obj.get("amount_total")
    elif kind in _STRIPE_AUTOCHARGE and (obj.get("metadata") or {}).get("kind") == AUTOCHARGE_METADATA_KIND:
        ours = _STRIPE_AUTOCHARGE[kind]
        amount = obj.get("amount_received") if ours == "checkout.succeeded" else obj.get("amount")
    else:
        return None
    currency = obj.get("currency")
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return {"id": event.get("id"), "type": ours,
            "data": {"external_id": obj.get("id"), "amount_minor": amount,
                     "currency": currency.upper() if isinstance(currency, str) else currency,
                     "intent_id": metadata.get("intent_id") or obj.get("client_reference_id"),
                     "tenant_id": metadata.get("tenant_id")}}
