"""The slack-actions queue consumer: each SQS record is one verified Approve / Deny click."""

from shared.platform.queues import queue_entry


def _decide(body: str) -> str:
    from shared.approvals.slack_clicks import handle_message

    return handle_message(body)


lambda_handler = queue_entry(_decide)
