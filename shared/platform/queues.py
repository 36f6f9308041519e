"""Sending to the catalog's SQS queues, and the Lambda entry point of a queue-triggered function."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from shared.platform.errors import Unavailable


def send(queue_url: str | None, body: str, *, attributes: dict[str, str], unconfigured_code: str,
         delay_seconds: int = 0, quick: bool = False) -> None:
    """One message; string attributes ride along so a DLQ can be read without parsing bodies. `delay_seconds`
    (0–900, SQS's limit) hides it that long; `quick` sends with short timeouts (a request path's side errand)."""
    if not queue_url:
        raise Unavailable("The queue for this event is not configured", code=unconfigured_code)
    from shared.platform.aws import client, quick_client

    extra = {"DelaySeconds": delay_seconds} if delay_seconds else {}
    (quick_client if quick else client)("sqs").send_message(
        QueueUrl=queue_url, MessageBody=body, **extra,
        MessageAttributes={name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()})


def queue_entry(handle_message: Callable[[str], Any]) -> Callable[[dict, Any], dict]:
    """A Lambda entry point for an SQS trigger: each record's body goes to `handle_message`; failures are
    answered as `batchItemFailures`, so one bad record is retried (then parked in the DLQ) without replaying
    the others. Powertools loads on the first batch, not at import (cold starts)."""

    @lru_cache(maxsize=1)
    def processor() -> Any:
        from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

        # A batch where every record failed is reported record by record rather than raised: the same retry,
        # but the poller and the logs see which records failed.
        return BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def lambda_handler(event: dict, context: Any) -> dict:
        from aws_lambda_powertools.utilities.batch import process_partial_response

        return process_partial_response(event=event, record_handler=lambda record: handle_message(record.body),
                                        processor=processor(), context=context)

    return lambda_handler
