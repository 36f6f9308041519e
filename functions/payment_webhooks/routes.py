"""The payment processor's webhook. Public: the HMAC signature is the authentication.

The route declares no typed body on purpose: Powertools would parse the JSON before the signature is
checked, and the signature is over the raw bytes. The service is imported inside the route (cold starts).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from shared.platform.http.raw_body import raw_body

router = APIGatewayHttpRouter()
TAGS = ["Billing"]


class WebhookReceived(BaseModel):
    received: bool


@router.post("/billing/webhooks/payment", tags=TAGS,
             summary="Payment-processor webhook: HMAC-SHA256 signed (X-CallFunnel-Signature), queued for crediting")
def receive_payment_webhook() -> WebhookReceived:
    from shared.payments import webhooks

    event = router.current_event
    webhooks.receive(event.headers or {}, raw_body(event.raw_event))
    return WebhookReceived(received=True)

