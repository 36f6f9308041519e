"""The webhook-deliveries queue consumer: each SQS record is one due (or chained) attempt of one delivery."""

from shared.platform.queues import queue_entry


def _attempt(body: str) -> str:
    from shared.webhooks.delivery import handle_attempt_message

    return handle_attempt_message(body)


lambda_handler = queue_entry(_attempt)
