"""Session tokens: JWT HS256 with sub, tid, role, email, iat, exp, jti and tv (token version).

`tv` is the user's token version when the token was issued; logout, a password change or a
deactivation bump the version, which revokes every outstanding token of that user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from shared.platform import clock
from shared.platform.errors import Unauthorized
from shared.platform.ids import new_id
from shared.platform.secrets import secret_string
from shared.platform.settings import get_settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    tenant_id: int
    role: str
    email: str
    token_id: str
    token_version: int
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    expires_in: int


@lru_cache(maxsize=1)
def _signing_key() -> str:
    settings = get_settings()
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    if settings.jwt_secret_arn:
        return secret_string(settings.jwt_secret_arn)
    raise RuntimeError("JWT_SECRET or JWT_SECRET_ARN must be configured")


def signing_key() -> str:
    """The HS256 key; also keys the session's CSRF token (shared.auth.csrf)."""
    return _signing_key()


def reset_signing_key() -> None:
    _signing_key.cache_clear()


def issue_token(*, user_id: str, tenant_id: int, role: str, email: str, token_version: int) -> IssuedToken:
    import jwt

    ttl = get_settings().jwt_ttl_seconds
    issued_at = clock.now().replace(microsecond=0)
    expires_at = issued_at + timedelta(seconds=ttl)
    claims = {
        "sub": user_id, "tid": tenant_id, "role": role, "email": email,
        "iat": int(issued_at.timestamp()), "exp": int(expires_at.timestamp()),
        "jti": new_id("jti"), "tv": token_version,
    }
    return IssuedToken(jwt.encode(claims, _signing_key(), algorithm=ALGORITHM), expires_at, ttl)


def read_token(token: str) -> TokenClaims:
    """Verify signature and expiry; raise 401 for anything that is not a valid, live token."""
    import jwt

    try:
        claims = jwt.decode(
            token, _signing_key(), algorithms=[ALGORITHM],
            # Expiry is checked below against our clock, the one every other rule uses.
            options={"require": ["sub", "tid", "iat", "exp", "jti"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        raise Unauthorized("Invalid bearer token", code="INVALID_TOKEN") from error
    if not isinstance(claims.get("tid"), int) or not isinstance(claims.get("exp"), int):
        raise Unauthorized("Invalid bearer token", code="INVALID_TOKEN")
    if claims["exp"] <= clock.epoch_seconds():
        raise Unauthorized("Session token has expired; log in again", code="TOKEN_EXPIRED")
    return TokenClaims(
        user_id=str(claims["sub"]), tenant_id=claims["tid"], role=str(claims.get("role", "")),
        email=str(claims.get("email", "")), token_id=str(claims["jti"]), token_version=int(claims.get("tv", 0)),
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )
