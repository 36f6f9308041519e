"""The slack-actions queue consumer: each SQS record is one verified Approve / Deny click.

Powertools' BatchProcessor answers with `batchItemFailures`, so one failing record is retried (then parked
in the DLQ) without replaying the decided ones. Everything heavier than the standard library is imported
on first use (cold starts).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _processor() -> Any:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

    # A fully failed batch is reported record by record rather than raised: same retry, clearer logs.
    return BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: Any) -> str:
    from shared.approvals.slack_interactivity import handle_message

    return handle_message(record.body)


def lambda_handler(event: dict, context: Any) -> dict:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    return process_partial_response(event=event, record_handler=record_handler, processor=_processor(),
                                    context=context)
