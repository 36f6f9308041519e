"""The sandbox processor's webhook delivery, over real HTTP: retries after a non-2xx, then a duplicate."""

from __future__ import annotations

import pytest

from shared.payments import signature
from shared.providers.payments import sandbox_delivery
from tests.fakes.payments_api import FakeWebhookReceiver

BODY = b'{"id":"evt_1"}'


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_delivery, "RETRY_DELAYS_SECONDS", (0.01, 0.01, 0.01))
    monkeypatch.setattr(sandbox_delivery, "DUPLICATE_DELAY_SECONDS", 0.01)


def _sign(body: bytes) -> dict[str, str]:
    return signature.signature_headers("whsec_test", 1_760_000_000, body)


def test_an_accepted_delivery_is_sent_once_more_as_a_duplicate() -> None:
    with FakeWebhookReceiver() as receiver:
        thread = sandbox_delivery.deliver_in_background(f"{receiver.base_url}/hook", BODY, _sign)
        thread.join(5)
    assert len(receiver.requests) == 2
    assert all(request.body == BODY for request in receiver.requests)
    assert receiver.requests[0].headers["x-callfunnel-signature"].startswith("v1=")


def test_a_non_2xx_answer_is_retried_until_accepted_then_duplicated() -> None:
    with FakeWebhookReceiver(statuses=[500, 503]) as receiver:
        statuses = sandbox_delivery.deliver(f"{receiver.base_url}/hook", BODY, _sign)
    assert statuses == [500, 503, 200, 200]


def test_a_receiver_that_never_accepts_gets_a_bounded_number_of_attempts() -> None:
    with FakeWebhookReceiver(statuses=[500] * 10) as receiver:
        statuses = sandbox_delivery.deliver(f"{receiver.base_url}/hook", BODY, _sign)
    assert statuses == [500] * 4  # the first attempt and three retries


def test_an_unreachable_receiver_counts_as_no_answer() -> None:
    assert sandbox_delivery.http_post("http://127.0.0.1:9/hook", {}, BODY) == 0
