"""The payment-events queue consumer: each SQS record is one verified payment event, credited once."""

from shared.platform.queues import queue_entry


def _credit(body: str) -> str:
    from shared.payments.consumer import handle_message

    return handle_message(body)


lambda_handler = queue_entry(_credit)
