"""The webhook-events queue consumer: each SQS record is one published domain event, fanned out to the tenant's
endpoints subscribed to its type (one delivery each)."""

from shared.platform.queues import queue_entry


def _fan_out(body: str) -> int:
    from shared.webhooks.fanout import handle_event_message

    return handle_event_message(body)


lambda_handler = queue_entry(_fan_out)
