"""The laptop's SQS event source mappings (infra_local/queue_pollers.py): the event, and what is deleted."""

from __future__ import annotations

from typing import Any

import pytest

from functions.catalog import LambdaFunction, QueueTrigger
from infra_local.queue_pollers import InvalidBatchResponse, QueuePoller, failed_message_ids, sqs_event

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:payment-events"
CONSUMER = LambdaFunction(name="payment_events", handler="p.handler.lambda_handler", description="",
                          queue_trigger=QueueTrigger("payment-events", batch_size=10))


def _message(number: int, **extra: Any) -> dict[str, Any]:
    return {"MessageId": f"m-{number}", "ReceiptHandle": f"r-{number}", "Body": f'{{"n": {number}}}',
            "MD5OfBody": "md5", "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
            **extra}


class _FakeSqs:
    """Records deletions; ReceiveMessage answers the batches it was given, then nothing."""

    def __init__(self, *batches: list[dict[str, Any]]) -> None:
        self.batches = list(batches)
        self.deleted: list[str] = []
        self.received: list[dict[str, Any]] = []

    def receive_message(self, **request: Any) -> dict[str, Any]:
        self.received.append(request)
        return {"Messages": self.batches.pop(0)} if self.batches else {}

    def delete_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        assert QueueUrl == "https://sqs.us-east-1.amazonaws.com/123456789012/payment-events"
        assert len(Entries) <= 10
        self.deleted.extend(entry["ReceiptHandle"] for entry in Entries)
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}


def _poller(sqs: _FakeSqs, answer: Any) -> tuple[QueuePoller, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []

    def invoke(function: LambdaFunction, event: dict[str, Any]) -> Any:
        events.append(event)
        if isinstance(answer, Exception):
            raise answer
        return answer(event) if callable(answer) else answer

    return QueuePoller(CONSUMER, invoke, sqs, region="us-east-1", account_id="123456789012"), events


def test_the_event_has_one_sqs_record_per_message_as_lambda_sends_it() -> None:
    event = sqs_event([_message(1), _message(2)], queue_arn=QUEUE_ARN, region="us-east-1")

    first = event["Records"][0]
    assert [record["messageId"] for record in event["Records"]] == ["m-1", "m-2"]
    assert (first["receiptHandle"], first["body"], first["md5OfBody"]) == ("r-1", '{"n": 1}', "md5")
    assert first["attributes"]["ApproximateReceiveCount"] == "1"
    assert (first["eventSource"], first["eventSourceARN"], first["awsRegion"]) == ("aws:sqs", QUEUE_ARN, "us-east-1")
    assert first["messageAttributes"] == {}


def test_message_attributes_take_the_lowercase_shape_of_the_lambda_event() -> None:
    message = _message(1, MessageAttributes={"kind": {"StringValue": "payment", "DataType": "String"},
                                             "blob": {"BinaryValue": b"\x01\x02", "DataType": "Binary"}},
                       MD5OfMessageAttributes="md5-attributes")

    (record,) = sqs_event([message], queue_arn=QUEUE_ARN, region="us-east-1")["Records"]

    assert record["messageAttributes"]["kind"] == {"stringValue": "payment", "stringListValues": [],
                                                   "binaryListValues": [], "dataType": "String"}
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AQI="
    assert record["md5OfMessageAttributes"] == "md5-attributes"


@pytest.mark.parametrize("answer", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, "ok"])
def test_an_answer_naming_no_failure_means_every_record_succeeded(answer: Any) -> None:
    assert failed_message_ids(answer, {"m-1", "m-2"}) == set()


def test_the_records_named_in_batch_item_failures_are_the_failed_ones() -> None:
    answer = {"batchItemFailures": [{"itemIdentifier": "m-2"}]}

    assert failed_message_ids(answer, {"m-1", "m-2"}) == {"m-2"}


@pytest.mark.parametrize("failures", [
    "m-1",  # not a list
    [{"itemIdentifier": ""}],
    [{"itemIdentifier": None}],
    [{"id": "m-1"}],  # a bad key name
    [{"itemIdentifier": "m-9"}],  # not in this batch
    ["m-1"],
])
def test_a_malformed_partial_failure_answer_is_refused(failures: Any) -> None:
    with pytest.raises(InvalidBatchResponse):
        failed_message_ids({"batchItemFailures": failures}, {"m-1", "m-2"})


def test_a_batch_that_succeeds_is_deleted_whole() -> None:
    sqs = _FakeSqs([_message(1), _message(2)])
    poller, events = _poller(sqs, {"batchItemFailures": []})

    outcome = poller.poll_once(wait_seconds=0)

    assert (outcome.deleted, outcome.retried) == (2, 0)
    assert sqs.deleted == ["r-1", "r-2"]
    assert events[0]["Records"][0]["eventSourceARN"] == QUEUE_ARN


def test_only_the_records_the_function_did_not_fail_are_deleted() -> None:
    sqs = _FakeSqs([_message(1), _message(2), _message(3)])
    poller, _ = _poller(sqs, {"batchItemFailures": [{"itemIdentifier": "m-2"}]})

    outcome = poller.poll_once(wait_seconds=0)

    assert (outcome.deleted, outcome.retried) == (2, 1)
    assert sqs.deleted == ["r-1", "r-3"]


@pytest.mark.parametrize("answer", [RuntimeError("boom"), {"batchItemFailures": [{"itemIdentifier": "nope"}]}])
def test_a_function_that_raises_or_answers_nonsense_leaves_the_whole_batch_for_a_retry(answer: Any) -> None:
    sqs = _FakeSqs([_message(1), _message(2)])
    poller, _ = _poller(sqs, answer)

    outcome = poller.poll_once(wait_seconds=0)

    assert (outcome.deleted, outcome.retried) == (0, 2)
    assert sqs.deleted == []


def test_an_empty_queue_invokes_nothing() -> None:
    sqs = _FakeSqs()
    poller, events = _poller(sqs, None)

    assert poller.poll_once(wait_seconds=0) is None
    assert events == []


def test_receive_asks_for_the_catalog_batch_with_every_attribute() -> None:
    sqs = _FakeSqs()
    poller, _ = _poller(sqs, None)

    poller.poll_once(wait_seconds=0)

    (request,) = sqs.received
    assert request["MaxNumberOfMessages"] == 10
    assert request["AttributeNames"] == ["All"] and request["MessageAttributeNames"] == ["All"]


def test_a_function_without_a_queue_trigger_cannot_be_polled() -> None:
    plain = LambdaFunction(name="health", handler="h.handler.lambda_handler", description="")
    with pytest.raises(ValueError, match="no queue trigger"):
        QueuePoller(plain, lambda function, event: None, _FakeSqs(), region="us-east-1", account_id="1")
