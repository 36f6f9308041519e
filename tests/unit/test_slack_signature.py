"""Slack v0 signatures: HMAC-SHA256 over "v0:{timestamp}:{raw body}", 300 s tolerance both ways."""

from __future__ import annotations

import pytest

from shared.approvals import slack_signature
from shared.platform.errors import BadRequest, Unauthorized

SECRET = "slack_signing_secret_unit"
NOW = 1_760_000_000
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"


def test_a_body_signed_now_with_the_secret_verifies() -> None:
    slack_signature.verify(slack_signature.signature_headers(SECRET, NOW, BODY), BODY, SECRET, NOW)


def test_the_signature_matches_slacks_documented_recipe() -> None:
    # Given Slack's recipe computed by hand: v0= + hex HMAC-SHA256(secret, "v0:{ts}:{body}")
    import hashlib
    import hmac

    expected = "v0=" + hmac.new(SECRET.encode(), f"v0:{NOW}:".encode() + BODY, hashlib.sha256).hexdigest()
    assert slack_signature.sign(SECRET, NOW, BODY) == expected


def test_header_names_are_case_insensitive() -> None:
    headers = {name.lower(): value for name, value in slack_signature.signature_headers(SECRET, NOW, BODY).items()}
    slack_signature.verify(headers, BODY, SECRET, NOW)


@pytest.mark.parametrize("skew", [301, -301])
def test_a_timestamp_more_than_five_minutes_away_either_way_is_expired(skew: int) -> None:
    headers = slack_signature.signature_headers(SECRET, NOW - skew, BODY)
    with pytest.raises(Unauthorized) as refused:
        slack_signature.verify(headers, BODY, SECRET, NOW)
    assert refused.value.code == "SIGNATURE_EXPIRED"


@pytest.mark.parametrize("skew", [300, -300])
def test_a_timestamp_exactly_five_minutes_away_is_still_accepted(skew: int) -> None:
    slack_signature.verify(slack_signature.signature_headers(SECRET, NOW - skew, BODY), BODY, SECRET, NOW)


def test_a_wrong_secret_is_invalid() -> None:
    with pytest.raises(Unauthorized) as refused:
        slack_signature.verify(slack_signature.signature_headers("not_ours", NOW, BODY), BODY, SECRET, NOW)
    assert refused.value.code == "SIGNATURE_INVALID"


def test_a_tampered_body_is_invalid() -> None:
    headers = slack_signature.signature_headers(SECRET, NOW, BODY)
    with pytest.raises(Unauthorized) as refused:
        slack_signature.verify(headers, BODY + b"x", SECRET, NOW)
    assert refused.value.code == "SIGNATURE_INVALID"


@pytest.mark.parametrize("headers", [
    {},
    {"X-Slack-Request-Timestamp": str(NOW)},
    {"X-Slack-Signature": "v0=" + "a" * 64},
    {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "a" * 64},
    {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v1=" + "a" * 64},
    {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=short"},
])
def test_missing_or_garbled_headers_are_signature_missing(headers: dict[str, str]) -> None:
    with pytest.raises(BadRequest) as refused:
        slack_signature.verify(headers, BODY, SECRET, NOW)
    assert refused.value.code == "SIGNATURE_MISSING"
