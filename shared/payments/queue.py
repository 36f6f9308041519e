"""The payment-events queue: the only place this domain talks to SQS."""

from __future__ import annotations

from shared.payments.events import PaymentEvent
from shared.platform.errors import Unavailable


def enqueue(event: PaymentEvent) -> None:
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    queue_url = get_settings().payment_events_queue_url
    if not queue_url:
        raise Unavailable("Payment events queue is not configured", code="PAYMENTS_NOT_CONFIGURED")
    # The event id rides along as an attribute so the DLQ can be read without parsing bodies.
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=event.model_dump_json(),
                               MessageAttributes={"event_id": {"DataType": "String", "StringValue": event.id}})
