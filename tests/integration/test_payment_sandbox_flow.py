"""A top-up through the sandbox processor, end to end on moto: checkout → Pay → signed webhook (retried and
duplicated, delivered straight to the webhook handler) → queue → consumer → the wallet credited once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.payment_events.handler import lambda_handler as consume
from shared.providers.payments import sandbox_delivery
from shared.providers.payments.sandbox import complete_sandbox_checkout, sandbox_checkout_page
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.test_payment_webhook import payment_queue

TRIAL_CREDIT_MINOR = 500


@pytest.fixture
def queue_url(api, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from payment_queue(monkeypatch)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_delivery, "RETRY_DELAYS_SECONDS", (0.01, 0.01))
    monkeypatch.setattr(sandbox_delivery, "DUPLICATE_DELAY_SECONDS", 0.01)


def _to_webhook(api, statuses: list[int], first_answers: list[int] | None = None):
    """A `post` that delivers to the webhook handler in-process; `first_answers` fakes early failures."""
    scripted = list(first_answers or [])

    def post(url: str, headers: dict[str, str], body: bytes) -> int:
        assert url == "http://testserver/billing/webhooks/payment"
        if scripted:
            statuses.append(scripted.pop(0))
            return statuses[-1]
        statuses.append(api.request("POST", "/billing/webhooks/payment", raw_body=body, headers=headers).status)
        return statuses[-1]

    return post


def _drain_queue_through_the_consumer(url: str) -> list[dict]:
    from shared.platform.aws import client

    sqs, results = client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
                    "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                    "awsRegion": "us-east-1"} for m in messages]
        results.append(consume({"Records": records}, None))
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return results


def _start_topup(api, account, amount_minor: int) -> dict:
    reply = api.post("/billing/topup", {"amount_minor": amount_minor}, token=account.token)
    assert reply.status == 201, reply.body
    return reply.body


def _balance(api, account) -> int:
    return api.get("/billing/balance", token=account.token).body["balance_minor"]


def test_a_sandbox_checkout_credits_the_wallet_once_despite_a_retry_and_a_duplicate(api, queue_url: str) -> None:
    # Given a pending top-up through the sandbox processor
    account = sign_up_and_log_in(api)
    topup = _start_topup(api, account, 2500)
    assert topup["external_id"].startswith("sbx_")
    assert topup["checkout_url"] == f"http://testserver/_sandbox/checkout/{topup['external_id']}"
    assert _balance(api, account) == TRIAL_CREDIT_MINOR

    # When Pay is pressed, and the first delivery is answered 500 (so the sandbox retries, then duplicates)
    statuses: list[int] = []
    answer = complete_sandbox_checkout(topup["external_id"], "succeeded", post=_to_webhook(api, statuses, [500]))
    assert answer == (202, {"status": "succeeded", "external_id": topup["external_id"]})
    sandbox_delivery.wait_for_deliveries(10)
    assert statuses == [500, 200, 200]
    results = _drain_queue_through_the_consumer(queue_url)

    # Then both queued copies were acknowledged, and the wallet was credited exactly once
    assert all(result == {"batchItemFailures": []} for result in results)
    assert _balance(api, account) == TRIAL_CREDIT_MINOR + 2500
    history = api.get("/billing/history", token=account.token).body["entries"]
    assert [entry["amount_minor"] for entry in history if entry["kind"] == "topup"] == [2500]


def test_the_checkout_page_shows_the_amount_and_a_pay_button_until_paid(api, queue_url: str) -> None:
    account = sign_up_and_log_in(api, country="IN")
    topup = _start_topup(api, account, 50000)
    status, page = sandbox_checkout_page(topup["external_id"])
    assert status == 200
    assert "500.00 INR" in page and "Pay</button>" in page and "Decline</button>" in page

    complete_sandbox_checkout(topup["external_id"], "succeeded", post=_to_webhook(api, []))
    sandbox_delivery.wait_for_deliveries(10)
    assert "Pay</button>" not in sandbox_checkout_page(topup["external_id"])[1]


def test_a_checkout_is_paid_only_once(api, queue_url: str) -> None:
    account = sign_up_and_log_in(api)
    topup = _start_topup(api, account, 1000)
    complete_sandbox_checkout(topup["external_id"], "succeeded", post=_to_webhook(api, []))
    sandbox_delivery.wait_for_deliveries(10)
    status, body = complete_sandbox_checkout(topup["external_id"], "succeeded", post=_to_webhook(api, []))
    assert (status, body["code"]) == (409, "CHECKOUT_ALREADY_COMPLETED")


def test_a_declined_checkout_credits_nothing(api, queue_url: str) -> None:
    account = sign_up_and_log_in(api)
    topup = _start_topup(api, account, 1000)
    statuses: list[int] = []
    assert complete_sandbox_checkout(topup["external_id"], "failed", post=_to_webhook(api, statuses))[0] == 202
    sandbox_delivery.wait_for_deliveries(10)
    _drain_queue_through_the_consumer(queue_url)
    assert statuses == [200, 200]
    assert _balance(api, account) == TRIAL_CREDIT_MINOR


@pytest.mark.parametrize(("external_id", "outcome", "status"), [("sbx_nope", "succeeded", 404),
                                                                ("sbx_nope", "refunded", 400)])
def test_unknown_checkouts_and_outcomes_are_refused(api, queue_url: str, external_id: str, outcome: str,
                                                    status: int) -> None:
    assert complete_sandbox_checkout(external_id, outcome)[0] == status
    assert sandbox_checkout_page(external_id)[0] == 404
