"""The call-events queue consumer: carrier status callbacks, handled once per (call, status)."""

from shared.platform.queues import queue_entry


def _handle(body: str) -> None:
    from shared.dialer.call_events import handle_message

    handle_message(body)


lambda_handler = queue_entry(_handle)
