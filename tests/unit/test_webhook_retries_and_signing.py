"""Webhook retries back off exponentially with jitter for about a day (scaled in the sandbox), honour Retry-After,
chain SQS delays of at most 15 minutes; signatures are Standard Webhooks' and verify with the library."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from shared.webhooks.retry_schedule import (
    MAX_HOP_SECONDS,
    backoff_seconds,
    next_attempt_at,
    next_hop_seconds,
    retry_after_seconds,
)
from shared.webhooks.signing import generate_secret, signed_headers

NOW = datetime(2026, 5, 18, 12, 0, tzinfo=UTC)
DAY = 24 * 3600


def test_the_backoff_doubles_from_30_seconds_within_25_percent_jitter():
    rng = random.Random(7)
    for failed, step in ((1, 30), (2, 60), (3, 120), (6, 960)):
        waits = [backoff_seconds(failed, rng=rng) for _ in range(200)]
        assert step * 0.75 <= min(waits) and max(waits) <= step * 1.25
        assert max(waits) - min(waits) > step * 0.3  # jittered, not a fixed step


def test_a_step_never_exceeds_six_hours():
    assert backoff_seconds(40, rng=random.Random(1)) <= 6 * 3600 * 1.25


def test_attempts_stop_about_a_day_after_the_delivery_was_created():
    rng, created, moment, failed = random.Random(3), NOW, NOW, 0
    while True:
        failed += 1
        due = next_attempt_at(created_at=created, failed_attempts=failed, now=moment, retry_after=None, scale=1.0,
                              window_seconds=DAY, rng=rng)
        if due is None:
            break
        moment = due
    assert 10 <= failed <= 16
    assert timedelta(hours=12) < moment - created <= timedelta(hours=24)


def test_the_sandbox_scale_brings_the_first_retry_within_seconds():
    due = next_attempt_at(created_at=NOW, failed_attempts=1, now=NOW, retry_after=None, scale=0.05, window_seconds=DAY)

    assert due is not None and due - NOW <= timedelta(seconds=2)


def test_retry_after_is_honoured_when_it_asks_for_longer_even_in_the_sandbox():
    due = next_attempt_at(created_at=NOW, failed_attempts=1, now=NOW, retry_after=120.0, scale=0.05,
                          window_seconds=DAY)

    assert due == NOW + timedelta(seconds=120)


def test_a_retry_after_beyond_the_window_ends_the_retries():
    assert next_attempt_at(created_at=NOW, failed_attempts=1, now=NOW, retry_after=2 * DAY, scale=1.0,
                           window_seconds=DAY) is None


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120.0), (" 5 ", 5.0), ("Mon, 18 May 2026 12:01:00 GMT", 60.0), ("Mon, 18 May 2026 11:00:00 GMT", 0.0),
    (None, None), ("", None), ("soon", None), ("-5", None),
])
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def test_a_long_wait_is_a_chain_of_sqs_delays_of_at_most_15_minutes():
    assert next_hop_seconds(NOW, NOW + timedelta(hours=3)) == MAX_HOP_SECONDS == 900
    assert next_hop_seconds(NOW, NOW + timedelta(seconds=1.2)) == 2
    assert next_hop_seconds(NOW, NOW - timedelta(seconds=5)) == 0


def test_a_secret_is_whsec_and_32_random_bytes():
    secret = generate_secret()

    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44
    assert generate_secret() != secret


def test_signed_headers_verify_with_the_standard_webhooks_library():
    secret, body = generate_secret(), '{"type":"webhook.test","timestamp":"2026-05-18T12:00:00Z","data":{}}'

    headers = signed_headers(secret, "evt_123", body)

    assert headers["webhook-id"] == "evt_123"
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers) == {"type": "webhook.test", "timestamp": "2026-05-18T12:00:00Z",
                                                     "data": {}}
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("webhook.test", "call.completed"), headers)
