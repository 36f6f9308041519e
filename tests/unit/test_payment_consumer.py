"""The payment-events consumer: SQS batch → complete_topup, with partial batch failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.payment_events import handler
from shared.billing import topups


class FakeWallet:
    """Stands in for shared.billing.topups.complete_topup: credits an event id once."""

    def __init__(self) -> None:
        self.credited: dict[str, int] = {}
        self.failures: dict[str, Exception] = {}
        self.unknown: set[str] = set()

    def complete_topup(self, external_id: str, event_id: str, amount_minor: int, currency: str, *,
                       claimed_intent_id: str | None = None, claimed_tenant_id: str | None = None) -> str:
        if external_id in self.failures:
            raise self.failures[external_id]
        if external_id in self.unknown:
            return "review"
        if event_id in self.credited:
            return "duplicate"
        self.credited[event_id] = amount_minor
        return "credited"


@pytest.fixture
def wallet(monkeypatch: pytest.MonkeyPatch) -> FakeWallet:
    fake = FakeWallet()
    monkeypatch.setattr(topups, "complete_topup", fake.complete_topup)
    return fake


def _record(message_id: str, event_id: str, external_id: str = "sbx_1", kind: str = "checkout.succeeded") -> dict:
    body = {"id": event_id, "type": kind, "data": {"external_id": external_id, "amount_minor": 1000, "currency": "USD"}}
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}", "body": json.dumps(body),
            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
            "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:payment-events",
            "awsRegion": "us-east-1"}


def _invoke(*records: dict) -> dict[str, Any]:
    return handler.lambda_handler({"Records": list(records)}, None)


def test_a_succeeded_event_credits_the_wallet_once(wallet: FakeWallet) -> None:
    result = _invoke(_record("m1", "evt_1"))
    assert result == {"batchItemFailures": []}
    assert wallet.credited == {"evt_1": 1000}


def test_a_duplicate_event_is_acknowledged_without_a_second_credit(wallet: FakeWallet) -> None:
    # Given the same event delivered twice (in one batch and again later)
    first = _invoke(_record("m1", "evt_1"), _record("m2", "evt_1"))
    again = _invoke(_record("m3", "evt_1"))
    # Then every record is acknowledged and the wallet credited once
    assert first == again == {"batchItemFailures": []}
    assert wallet.credited == {"evt_1": 1000}


def test_an_event_held_for_review_is_acknowledged_not_retried(wallet: FakeWallet) -> None:
    wallet.unknown.add("cs_elsewhere")
    assert _invoke(_record("m1", "evt_9", external_id="cs_elsewhere")) == {"batchItemFailures": []}
    assert wallet.credited == {}


def test_a_failed_checkout_credits_nothing(wallet: FakeWallet) -> None:
    assert _invoke(_record("m1", "evt_2", kind="checkout.failed")) == {"batchItemFailures": []}
    assert wallet.credited == {}


def test_a_failing_record_is_reported_alone_so_only_it_is_retried(wallet: FakeWallet) -> None:
    # Given a batch whose middle record hits a transient error
    wallet.failures["sbx_flaky"] = ConnectionError("throttled")
    result = _invoke(_record("m1", "evt_1"), _record("m2", "evt_2", external_id="sbx_flaky"),
                     _record("m3", "evt_3"))
    # Then it alone is reported for retry (then the DLQ), and the others are credited
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert wallet.credited == {"evt_1": 1000, "evt_3": 1000}


def test_a_malformed_message_is_reported_as_failed(wallet: FakeWallet) -> None:
    broken = {**_record("m1", "evt_1"), "body": "{not json"}
    assert _invoke(broken) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
