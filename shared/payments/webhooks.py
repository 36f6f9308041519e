"""Receiving a payment webhook: verify the signature on the raw bytes, then parse, then enqueue.

Crediting happens in the queue consumer, so a webhook is answered fast and a failed credit is retried
by SQS (then parked in the DLQ) instead of by the processor.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.payments import signature
from shared.payments.events import parse_event
from shared.platform import clock
from shared.platform.errors import Unavailable
from shared.platform.observability import get_logger


def webhook_secrets() -> list[str]:
    """The current secret, then the previous one (still valid during a rotation)."""
    from shared.platform.settings import get_settings

    settings = get_settings()
    candidates = (settings.payments_webhook_secret, settings.payments_webhook_previous_secret)
    return [secret.get_secret_value() for secret in candidates if secret and secret.get_secret_value()]


def receive(headers: Mapping[str, str], body: bytes) -> str | None:
    """Verify and enqueue one webhook; returns the queued event's id (None: a type we ignore)."""
    signature.read_signed_request(headers)  # an unsigned request is 400, configured or not
    secrets = webhook_secrets()
    if not secrets:
        raise Unavailable("Payment webhooks are not configured", code="PAYMENTS_NOT_CONFIGURED")
    signature.verify(headers, body, secrets, clock.epoch_seconds())
    event = parse_event(body)
    if event is None:
        get_logger().info("payment webhook ignored: event type not handled")
        return None
    from shared.payments.queue import enqueue

    enqueue(event)
    get_logger().info("payment webhook queued", extra={"event_id": event.id, "event_type": event.type})
    return event.id
