"""The voice plane accepts a media socket only with a token minted for that call, once (RULES: Voice)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.calls import media_tokens
from shared.calls.media_tokens import MediaTokenRejected


@pytest.fixture
def table(api):
    media_tokens.reset_key()
    yield
    media_tokens.reset_key()


def test_a_fresh_token_grants_its_call_once(table):
    token = media_tokens.mint(7, "call-abc").token

    grant = media_tokens.verify(token, call_id="call-abc")

    assert (grant.tenant_id, grant.call_id) == (7, "call-abc")
    with pytest.raises(MediaTokenRejected) as refused:
        media_tokens.verify(token, call_id="call-abc")
    assert refused.value.code == "MEDIA_TOKEN_REUSED"


def test_of_two_sockets_racing_with_one_token_exactly_one_is_accepted(table):
    token = media_tokens.mint(7, "call-abc").token

    def attempt(_: int) -> bool:
        try:
            media_tokens.verify(token)
        except MediaTokenRejected:
            return False
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    assert outcomes.count(True) == 1


def test_a_token_refused_for_another_call_is_not_spent(table):
    token = media_tokens.mint(7, "call-abc").token
    with pytest.raises(MediaTokenRejected):
        media_tokens.verify(token, call_id="call-xyz")

    assert media_tokens.verify(token, call_id="call-abc").call_id == "call-abc"


def test_in_the_cloud_the_key_is_the_media_stream_secret_named_by_arn_not_the_jwt_secret(table, monkeypatch):
    """The voice webhook reads MEDIA_STREAM_SECRET_ARN (Secrets Manager); the voice plane gets the same secret as
    MEDIA_STREAM_SECRET: a token one mints, the other accepts — and a key derived from the JWT secret does not."""
    import uuid

    from shared.platform.aws import client
    from shared.platform.settings import reset_settings

    value = f"media-stream-secret-{uuid.uuid4().hex}"
    arn = client("secretsmanager").create_secret(Name=f"media-{uuid.uuid4().hex}", SecretString=value)["ARN"]
    jwt_derived = media_tokens.mint(7, "call-abc").token  # JWT_SECRET only, as before the secret existed
    monkeypatch.setenv("MEDIA_STREAM_SECRET_ARN", arn)
    reset_settings()
    media_tokens.reset_key()
    minted_by_the_webhook = media_tokens.mint(7, "call-abc").token
    monkeypatch.delenv("MEDIA_STREAM_SECRET_ARN")
    monkeypatch.setenv("MEDIA_STREAM_SECRET", value)
    reset_settings()
    media_tokens.reset_key()

    assert media_tokens.verify(minted_by_the_webhook, call_id="call-abc").call_id == "call-abc"
    with pytest.raises(MediaTokenRejected):
        media_tokens.verify(jwt_derived, call_id="call-abc")
    monkeypatch.undo()
    reset_settings()
