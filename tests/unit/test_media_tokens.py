"""A media-stream token is refused before any table read when it is forged, malformed, expired or for another
call (the spending, single use, is proven on moto in tests/integration/test_media_tokens.py)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.calls import media_tokens
from shared.calls.media_tokens import MediaTokenRejected
from shared.platform import clock

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_key():
    media_tokens.reset_key()
    yield
    media_tokens.reset_key()


@pytest.fixture
def no_table(monkeypatch):
    """Any attempt to spend a token fails the test: these rejections must come before the write."""
    def spend(*args, **kwargs):
        raise AssertionError("a rejected token must not reach the table")

    monkeypatch.setattr(media_tokens.media_token_repository, "spend", spend)


def test_a_token_is_url_safe_and_expires_within_sixty_seconds():
    clock.freeze(T0)
    minted = media_tokens.mint(7, "call-abc")
    assert minted.expires_at - T0 <= timedelta(seconds=60)
    assert set(minted.token) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def test_two_tokens_for_one_call_differ():
    assert media_tokens.mint(7, "call-abc").token != media_tokens.mint(7, "call-abc").token


@pytest.mark.parametrize("token", [None, "", "v1.abc", "v2.a.b", "not-a-token", "v1.e30.%%%"])
def test_a_missing_or_malformed_token_is_refused(no_table, token):
    with pytest.raises(MediaTokenRejected) as refused:
        media_tokens.verify(token)
    assert refused.value.code == "MEDIA_TOKEN_INVALID"


def test_a_tampered_payload_is_refused(no_table):
    version, payload, signature = media_tokens.mint(7, "call-abc").token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["tid"] = 8  # another tenant
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(MediaTokenRejected) as refused:
        media_tokens.verify(f"{version}.{forged}.{signature}")
    assert refused.value.code == "MEDIA_TOKEN_INVALID"


def test_a_token_signed_under_another_key_is_refused(no_table, monkeypatch):
    token = media_tokens.mint(7, "call-abc").token
    monkeypatch.setenv("JWT_SECRET", "another-deployment-secret-long-enough-for-hs256")
    from shared.platform.settings import reset_settings

    reset_settings()
    media_tokens.reset_key()
    with pytest.raises(MediaTokenRejected):
        media_tokens.verify(token)


def test_a_session_jwt_is_not_a_media_token(no_table):
    from shared.auth import tokens

    jwt = tokens.issue_token(user_id="u1", tenant_id=7, role="owner", email="a@example.com", token_version=0).token
    with pytest.raises(MediaTokenRejected):
        media_tokens.verify(jwt)


def test_an_expired_token_is_refused_on_the_one_clock(no_table):
    clock.freeze(T0)
    token = media_tokens.mint(7, "call-abc").token
    clock.freeze(T0 + timedelta(seconds=60))
    with pytest.raises(MediaTokenRejected) as refused:
        media_tokens.verify(token)
    assert refused.value.code == "MEDIA_TOKEN_EXPIRED"


def test_a_token_for_another_call_is_refused(no_table):
    token = media_tokens.mint(7, "call-abc").token
    with pytest.raises(MediaTokenRejected) as refused:
        media_tokens.verify(token, call_id="call-xyz")
    assert refused.value.code == "MEDIA_TOKEN_WRONG_CALL"


def test_the_ttl_setting_cannot_exceed_sixty_seconds(monkeypatch):
    from pydantic import ValidationError

    from shared.platform.settings import Settings

    monkeypatch.setenv("MEDIA_STREAM_TOKEN_TTL_SECONDS", "61")
    with pytest.raises(ValidationError):
        Settings()
