"""Money comes from our own records: a signed payment event is credited with the *intent's* amount and
currency; an event that disagrees with the intent (or names no intent of ours, or another tenant) is
recorded for review, never credited — through the signed webhook, the queue and the consumer, on moto."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from shared.billing import payment_review_repository
from shared.payments import signature
from shared.platform import clock
from shared.platform.observability import get_logger
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.test_payment_sandbox_flow import _drain_queue_through_the_consumer
from tests.integration.test_payment_webhook import SECRET, payment_queue

TRIAL_CREDIT_MINOR = 500
ACKNOWLEDGED = {"batchItemFailures": []}


@pytest.fixture
def queue_url(api, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from payment_queue(monkeypatch)


@pytest.fixture
def warnings_logged() -> Iterator[list[logging.LogRecord]]:
    """The records our logger emits at WARNING or above (Powertools' logger does not propagate)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    get_logger().addHandler(handler)
    yield records
    get_logger().removeHandler(handler)


def _topup(api, account, amount_minor: int) -> dict:
    reply = api.post("/billing/topup", {"amount_minor": amount_minor}, token=account.token)
    assert reply.status == 201, reply.body
    return reply.body


def _deliver(api, queue_url: str, event_id: str, data: dict) -> list[dict]:
    """Sign the event as the processor does, post it to the webhook, then run the queue's consumer."""
    body = json.dumps({"id": event_id, "type": "checkout.succeeded", "data": data}).encode()
    reply = api.request("POST", "/billing/webhooks/payment", raw_body=body,
                        headers=signature.signature_headers(SECRET, clock.epoch_seconds(), body))
    assert (reply.status, reply.body) == (200, {"received": True})
    return _drain_queue_through_the_consumer(queue_url)


def _balance(api, account) -> int:
    return api.get("/billing/balance", token=account.token).body["balance_minor"]


def _history(api, account) -> list[dict]:
    return api.get("/billing/history", token=account.token).body["entries"]


def test_a_signed_event_claiming_9_000_000_for_a_500_intent_credits_nothing_and_is_held_for_review(
        api, queue_url: str, warnings_logged: list[logging.LogRecord]) -> None:
    # Given a pending top-up of 500
    account = sign_up_and_log_in(api)
    topup = _topup(api, account, 500)

    # When a correctly signed event for it claims 9,000,000 (and is delivered twice)
    attack = {"external_id": topup["external_id"], "amount_minor": 9_000_000, "currency": "USD"}
    first = _deliver(api, queue_url, "evt_attack", attack)
    again = _deliver(api, queue_url, "evt_attack", attack)

    # Then the processor is answered 2xx and the queue acknowledged, but nothing is credited
    assert first == again == [ACKNOWLEDGED]
    assert _balance(api, account) == TRIAL_CREDIT_MINOR
    # and the tenant's history shows one non-crediting review entry about the intent
    reviews = [entry for entry in _history(api, account) if entry["kind"] == "payment_review"]
    assert len(reviews) == 1
    assert (reviews[0]["amount_minor"], reviews[0]["balance_after_minor"]) == (0, TRIAL_CREDIT_MINOR)
    assert reviews[0]["reference_id"] == topup["intent_id"]
    assert "not credited" in reviews[0]["description"]
    # and an operator finds it in the review listing, with what the event said and what we expected
    [review] = payment_review_repository.list_reviews(limit=10)
    assert (review.event_id, review.reason, review.tenant_id, review.intent_id) == (
        "evt_attack", "amount_mismatch", account.tenant_id, topup["intent_id"])
    assert (review.event_amount_minor, review.event_currency) == (9_000_000, "USD")
    assert (review.intent_amount_minor, review.intent_currency) == (500, "USD")
    # and one warning was logged, with the facts and nothing else
    [warning] = [record for record in warnings_logged if getattr(record, "event_id", None) == "evt_attack"]
    assert (warning.reason, warning.tenant_id, warning.event_amount_minor) == ("amount_mismatch", account.tenant_id,
                                                                               9_000_000)


def test_after_a_mismatching_event_the_real_payment_still_credits_the_intent_once(api, queue_url: str) -> None:
    account = sign_up_and_log_in(api)
    topup = _topup(api, account, 500)
    _deliver(api, queue_url, "evt_attack", {"external_id": topup["external_id"], "amount_minor": 9_000_000,
                                            "currency": "USD"})

    paid = {"external_id": topup["external_id"], "amount_minor": 500, "currency": "USD"}
    assert _deliver(api, queue_url, "evt_real", paid) == [ACKNOWLEDGED]
    assert _deliver(api, queue_url, "evt_real", paid) == [ACKNOWLEDGED]

    assert _balance(api, account) == TRIAL_CREDIT_MINOR + 500
    assert [entry["amount_minor"] for entry in _history(api, account) if entry["kind"] == "topup"] == [500]


def test_a_matching_event_credits_the_intents_amount_once(api, queue_url: str) -> None:
    account = sign_up_and_log_in(api)
    topup = _topup(api, account, 2500)
    paid = {"external_id": topup["external_id"], "amount_minor": 2500, "currency": "USD"}

    assert _deliver(api, queue_url, "evt_paid", paid) == [ACKNOWLEDGED]
    assert _deliver(api, queue_url, "evt_paid", paid) == [ACKNOWLEDGED]

    assert _balance(api, account) == TRIAL_CREDIT_MINOR + 2500
    history = _history(api, account)
    assert [entry["amount_minor"] for entry in history if entry["kind"] == "topup"] == [2500]
    assert not [entry for entry in history if entry["kind"] == "payment_review"]
    assert payment_review_repository.list_reviews(limit=10) == []


def test_an_event_in_another_currency_is_held_for_review_not_credited_nor_retried(api, queue_url: str) -> None:
    # Given a USD intent of 500, and an event paying "500" in INR
    account = sign_up_and_log_in(api)
    topup = _topup(api, account, 500)
    results = _deliver(api, queue_url, "evt_inr", {"external_id": topup["external_id"], "amount_minor": 500,
                                                   "currency": "INR"})

    # Then it is acknowledged (a retry cannot fix it), not credited, and held for review
    assert results == [ACKNOWLEDGED]
    assert _balance(api, account) == TRIAL_CREDIT_MINOR
    [review] = payment_review_repository.list_reviews(limit=10)
    assert (review.reason, review.event_currency, review.intent_currency) == ("currency_mismatch", "INR", "USD")
    assert [entry["kind"] for entry in _history(api, account)].count("payment_review") == 1


def test_an_event_for_an_unknown_intent_is_recorded_for_review(api, queue_url: str,
                                                               warnings_logged: list[logging.LogRecord]) -> None:
    account = sign_up_and_log_in(api)
    results = _deliver(api, queue_url, "evt_stray", {"external_id": "sbx_not_ours", "amount_minor": 500,
                                                     "currency": "USD"})
    _deliver(api, queue_url, "evt_stray", {"external_id": "sbx_not_ours", "amount_minor": 500, "currency": "USD"})

    assert results == [ACKNOWLEDGED]
    assert _balance(api, account) == TRIAL_CREDIT_MINOR
    [review] = payment_review_repository.list_reviews(limit=10)
    assert (review.event_id, review.reason, review.external_id, review.tenant_id, review.intent_id) == (
        "evt_stray", "unknown_intent", "sbx_not_ours", None, None)
    assert any(getattr(record, "reason", None) == "unknown_intent" for record in warnings_logged)


def test_a_stripe_event_whose_metadata_names_another_tenant_is_held_for_review(api, queue_url: str) -> None:
    # Given a victim's pending top-up, and a processor event for its checkout that says it belongs elsewhere
    victim = sign_up_and_log_in(api)
    topup = _topup(api, victim, 500)
    event = {"id": "evt_stripe_other", "object": "event", "type": "checkout.session.completed",
             "data": {"object": {"id": topup["external_id"], "payment_status": "paid", "amount_total": 500,
                                 "currency": "usd", "client_reference_id": "top_someone_else",
                                 "metadata": {"intent_id": "top_someone_else", "tenant_id": "999"}}}}
    body = json.dumps(event).encode()
    reply = api.request("POST", "/billing/webhooks/payment", raw_body=body,
                        headers=signature.signature_headers(SECRET, clock.epoch_seconds(), body))
    assert reply.status == 200

    assert _drain_queue_through_the_consumer(queue_url) == [ACKNOWLEDGED]
    assert _balance(api, victim) == TRIAL_CREDIT_MINOR
    [review] = payment_review_repository.list_reviews(limit=10)
    assert (review.reason, review.tenant_id) == ("intent_mismatch", victim.tenant_id)


def test_operators_list_the_held_events_newest_first(api, queue_url: str, capsys: pytest.CaptureFixture) -> None:
    from ops.payment_reviews import main

    account = sign_up_and_log_in(api)
    topup = _topup(api, account, 500)
    _deliver(api, queue_url, "evt_first", {"external_id": "sbx_not_ours", "amount_minor": 1, "currency": "USD"})
    _deliver(api, queue_url, "evt_second", {"external_id": topup["external_id"], "amount_minor": 9_000_000,
                                            "currency": "USD"})

    capsys.readouterr()  # the consumer's own log lines

    assert main(["--limit", "10"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[3] for line in lines] == ["evt_second", "evt_first"]
    assert "amount_mismatch" in lines[0] and "claimed 9000000 USD, expected 500 USD" in lines[0]
    assert "unknown_intent" in lines[1] and "expected no intent" in lines[1]
