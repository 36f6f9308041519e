"""The call-analysis queue consumer: each record asks for one finished call's post-call analysis."""

from shared.platform.queues import queue_entry


def _analyze(body: str) -> None:
    from shared.call_analysis.service import handle_message

    handle_message(body)


lambda_handler = queue_entry(_analyze)
