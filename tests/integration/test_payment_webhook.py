"""POST /billing/webhooks/payment on moto: verified, then queued on SQS; anything else refused unqueued."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from shared.payments import signature
from shared.platform import clock
from shared.platform.settings import reset_settings

SECRET, PREVIOUS = "whsec_integration_current", "whsec_integration_previous"
PATH = "/billing/webhooks/payment"


def payment_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh payment-events queue and both webhook secrets, for one test (shared with the sandbox flow)."""
    from shared.platform.aws import client

    sqs = client("sqs")
    url = sqs.create_queue(QueueName=f"payment-events-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setenv("PAYMENT_EVENTS_QUEUE_URL", url)
    monkeypatch.setenv("PAYMENTS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("PAYMENTS_WEBHOOK_PREVIOUS_SECRET", PREVIOUS)
    reset_settings()
    yield url
    monkeypatch.undo()
    reset_settings()
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def queue_url(api, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from payment_queue(monkeypatch)


def _queued(url: str) -> list[dict]:
    from shared.platform.aws import client

    messages = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(message["Body"]) for message in messages.get("Messages", [])]


def _event(event_id: str = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "type": "checkout.succeeded",
                       "data": {"external_id": "sbx_1", "amount_minor": 1000, "currency": "USD"}}).encode()


def _post(api, body: bytes, headers: dict[str, str]):
    return api.request("POST", PATH, raw_body=body, headers=headers)


def test_a_signed_event_is_answered_200_and_lands_on_the_queue(api, queue_url: str) -> None:
    body = _event()
    reply = _post(api, body, signature.signature_headers(SECRET, clock.epoch_seconds(), body))
    assert (reply.status, reply.body) == (200, {"received": True})
    assert _queued(queue_url) == [{"id": "evt_1", "type": "checkout.succeeded",
                                   "data": {"external_id": "sbx_1", "amount_minor": 1000, "currency": "USD"}}]


def test_an_event_signed_with_the_previous_secret_is_accepted_during_rotation(api, queue_url: str) -> None:
    body = _event()
    reply = _post(api, body, signature.signature_headers(PREVIOUS, clock.epoch_seconds(), body))
    assert reply.status == 200
    assert len(_queued(queue_url)) == 1


def test_the_api_alias_path_serves_the_webhook_too(api, queue_url: str) -> None:
    body = _event()
    reply = api.request("POST", f"/api{PATH}", raw_body=body,
                        headers=signature.signature_headers(SECRET, clock.epoch_seconds(), body))
    assert reply.status == 200


def test_an_unsigned_webhook_is_400_and_nothing_is_queued(api, queue_url: str) -> None:
    reply = _post(api, _event(), {})
    assert reply.status == 400
    assert reply.body["code"] == "SIGNATURE_MISSING"
    assert _queued(queue_url) == []


def test_a_badly_signed_webhook_is_401_and_nothing_is_queued(api, queue_url: str) -> None:
    body = _event()
    reply = _post(api, body, signature.signature_headers("whsec_attacker", clock.epoch_seconds(), body))
    assert (reply.status, reply.body["code"]) == (401, "SIGNATURE_INVALID")
    assert set(reply.body) >= {"error", "code"}
    assert _queued(queue_url) == []


def test_a_stale_webhook_is_401_signature_expired(api, queue_url: str) -> None:
    body = _event()
    reply = _post(api, body, signature.signature_headers(SECRET, clock.epoch_seconds() - 301, body))
    assert (reply.status, reply.body["code"]) == (401, "SIGNATURE_EXPIRED")
    assert _queued(queue_url) == []


def test_a_signed_body_that_is_not_json_is_400_after_verification(api, queue_url: str) -> None:
    # Given garbage that is correctly signed (so only the parsing can refuse it)
    body = b"\xff\xfe not json"
    reply = _post(api, body, signature.signature_headers(SECRET, clock.epoch_seconds(), body))
    assert (reply.status, reply.body["code"]) == (400, "MALFORMED_EVENT")
    assert _queued(queue_url) == []


def test_without_a_webhook_secret_the_webhook_is_503(api, queue_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYMENTS_WEBHOOK_SECRET")
    monkeypatch.delenv("PAYMENTS_WEBHOOK_PREVIOUS_SECRET")
    reset_settings()
    body = _event()
    reply = _post(api, body, signature.signature_headers(SECRET, clock.epoch_seconds(), body))
    assert (reply.status, reply.body["code"]) == (503, "PAYMENTS_NOT_CONFIGURED")
