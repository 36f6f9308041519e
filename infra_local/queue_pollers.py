"""The laptop's event source mappings: one thread per queue-triggered catalog function.

Each poller does what Lambda's SQS event source mapping does with `ReportBatchItemFailures`: receive a
batch, invoke the function with the SQS event, delete the records that succeeded and leave the failed
ones to become visible again after the visibility timeout. After `max_receives` receives moto's redrive
policy moves a message to the dead-letter queue, as SQS does. Invocations go through the same
`LocalLambdaRuntime` as HTTP requests, so they run one at a time with them.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from functions.catalog import FUNCTIONS, LambdaFunction
from infra_local.environment import local_queue_arn, local_queue_url

SQS_MAX_BATCH = 10  # ReceiveMessage's limit; a larger catalog batch is served 10 at a time
WAIT_SECONDS = 1  # short polls: Ctrl-C stops a poller within about a second
BACKOFF_SECONDS = 1.0

Invoke = Callable[[LambdaFunction, dict[str, Any]], Any]


def sqs_event(messages: Sequence[dict[str, Any]], *, queue_arn: str, region: str) -> dict[str, Any]:
    """The Lambda event for a batch of ReceiveMessage results, shaped as the event source mapping sends it."""
    return {"Records": [_record(message, queue_arn=queue_arn, region=region) for message in messages]}


def _record(message: dict[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """ReceiveMessage's `StringValue`/`DataType` become the event's `stringValue`/`dataType`."""
    import base64

    attribute: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return attribute


class InvalidBatchResponse(ValueError):
    """Lambda treats the whole batch as failed when the partial-failure response is malformed."""


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """The records a `ReportBatchItemFailures` response names as failed.

    None, a response without `batchItemFailures` or an empty list: every record succeeded. A malformed
    list (not a list, an entry without `itemIdentifier`, an empty one, an id not in the batch) raises
    InvalidBatchResponse: then nothing is deleted, as Lambda does.
    """
    if not isinstance(result, dict) or result.get("batchItemFailures") is None:
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        raise InvalidBatchResponse(f"batchItemFailures is a {type(failures).__name__}, not a list")
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in batch_ids:
            raise InvalidBatchResponse(f"batchItemFailures names no record of this batch: {failure!r}")
        failed.add(identifier)
    return failed


@dataclass(frozen=True)
class BatchOutcome:
    deleted: int
    retried: int


class QueuePoller:
    def __init__(self, function: LambdaFunction, invoke: Invoke, sqs: Any, *, region: str, account_id: str) -> None:
        if function.queue_trigger is None:
            raise ValueError(f"{function.name} has no queue trigger")
        self.function = function
        self._trigger = function.queue_trigger
        self._invoke = invoke
        self._sqs = sqs
        self._region = region
        self.queue_url = local_queue_url(self._trigger.queue, region=region, account_id=account_id)
        self.queue_arn = local_queue_arn(self._trigger.queue, region=region, account_id=account_id)

    def poll_once(self, wait_seconds: int = WAIT_SECONDS) -> BatchOutcome | None:
        """Receive one batch and hand it to the function; None when the queue had nothing."""
        messages = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self._trigger.batch_size, SQS_MAX_BATCH),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return None
        return self.process(messages)

    def process(self, messages: list[dict[str, Any]]) -> BatchOutcome:
        event = sqs_event(messages, queue_arn=self.queue_arn, region=self._region)
        batch_ids = {message["MessageId"] for message in messages}
        try:
            failed = failed_message_ids(self._invoke(self.function, event), batch_ids)
        except Exception:  # the function raised or answered nonsense: the whole batch is retried
            sys.stderr.write(f"[queue {self._trigger.queue}] {self.function.name} failed a batch of "
                             f"{len(messages)}; it will be retried:\n")
            traceback.print_exc(file=sys.stderr)
            failed = batch_ids
        succeeded = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(succeeded), SQS_MAX_BATCH):
            chunk = succeeded[start:start + SQS_MAX_BATCH]
            self._sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(chunk)
            ])
        return BatchOutcome(deleted=len(succeeded), retried=len(messages) - len(succeeded))

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                outcome = self.poll_once()
            except Exception:  # moto stopping under us, or a bug here: say so, back off, carry on
                if stop.is_set():
                    return
                traceback.print_exc(file=sys.stderr)
                stop.wait(BACKOFF_SECONDS)
                continue
            if outcome is not None and outcome.retried:
                sys.stderr.write(f"[queue {self._trigger.queue}] {outcome.retried} message(s) left for a retry\n")


class QueuePollers:
    """Every queue-triggered catalog function's poller, each on its own daemon thread."""

    def __init__(self, invoke: Invoke, *, region: str, account_id: str,
                 functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> None:
        from shared.platform.aws import client

        sqs = client("sqs")
        self.pollers = [QueuePoller(spec, invoke, sqs, region=region, account_id=account_id)
                        for spec in functions if spec.queue_trigger is not None]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for poller in self.pollers:
            thread = threading.Thread(target=poller.run, args=(self._stop,), daemon=True,
                                      name=f"sqs-poller-{poller.function.name}")
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_seconds: float = 5.0) -> None:
        """Ask every poller to stop and wait for the batch in hand (a poll ends within WAIT_SECONDS)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_seconds)
