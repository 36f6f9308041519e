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
