"""The payment-events queue: the only place this domain talks to SQS."""

from __future__ import annotations

from shared.payments.events import PaymentEvent


def enqueue(event: PaymentEvent) -> None:
    from shared.platform.queues import send
    from shared.platform.settings import get_settings

    # Unset optional fields stay off the wire: the queued body is the event as the processor meant it.
    send(get_settings().payment_events_queue_url, event.model_dump_json(exclude_none=True),
         attributes={"event_id": event.id}, unconfigured_code="PAYMENTS_NOT_CONFIGURED")
