from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.auth import tokens
from shared.platform import clock
from shared.platform.errors import Unauthorized

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


def issue(**overrides):
    claims = {"user_id": "usr_1", "tenant_id": 38, "role": "owner", "email": "a@b.co", "token_version": 2}
    claims.update(overrides)
    return tokens.issue_token(**claims)


def test_a_token_carries_the_contract_claims_and_lives_seven_days():
    issued = issue()

    claims = jwt.decode(issued.token, SECRET, algorithms=["HS256"])

    assert {"sub", "tid", "role", "email", "iat", "exp", "jti", "tv"} <= claims.keys()
    assert claims["tid"] == 38
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    assert issued.expires_in == 7 * 24 * 3600


def test_a_token_reads_back_as_its_claims():
    claims = tokens.read_token(issue().token)

    assert (claims.user_id, claims.tenant_id, claims.role, claims.token_version) == ("usr_1", 38, "owner", 2)


def test_an_expired_token_is_refused():
    clock.freeze(datetime.now(UTC) - timedelta(days=8))
    token = issue().token
    clock.freeze(None)

    with pytest.raises(Unauthorized) as refused:
        tokens.read_token(token)

    assert refused.value.code == "TOKEN_EXPIRED"


def test_a_token_signed_with_another_key_is_refused():
    forged = jwt.encode({"sub": "usr_1", "tid": 38, "iat": 1, "exp": 4102444800, "jti": "x"}, "other-key-" * 4,
                        algorithm="HS256")

    with pytest.raises(Unauthorized) as refused:
        tokens.read_token(forged)

    assert refused.value.code == "INVALID_TOKEN"


def test_the_none_algorithm_is_refused():
    unsigned = jwt.encode({"sub": "usr_1", "tid": 38, "iat": 1, "exp": 4102444800, "jti": "x"}, None,
                          algorithm="none")

    with pytest.raises(Unauthorized):
        tokens.read_token(unsigned)


def test_garbage_is_refused():
    with pytest.raises(Unauthorized):
        tokens.read_token("not-a-jwt")
