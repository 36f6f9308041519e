"""Turn a request's credentials into a Principal.

Order: `Authorization: Bearer cf_live_…` (API key), `Authorization: Bearer <jwt>`, then the
`cf_session` cookie. Every path costs one DynamoDB read: an API key is looked up by the sha256 of its
secret (its last use is stamped at most once a minute); a JWT is checked against its user (status,
token version). Nothing is cached across requests, so a revocation takes effect at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.accounts import repository as accounts
from shared.api_keys import repository as api_keys
from shared.api_keys.models import ApiKey
from shared.api_keys.secrets import is_well_formed, looks_like_api_key, secret_hash
from shared.auth.principal import ROLE_SCOPES, Credentials, Principal, Scope
from shared.auth.tokens import read_token
from shared.platform import clock
from shared.platform.errors import Unauthorized

LAST_USED_GRANULARITY = timedelta(minutes=1)


def authenticate(credentials: Credentials) -> Principal:
    if credentials.bearer:
        if looks_like_api_key(credentials.bearer):
            return _from_api_key(credentials.bearer, credentials.source_ip)
        return principal_from_session_token(credentials.bearer)
    if credentials.session_cookie:
        return principal_from_session_token(credentials.session_cookie)
    raise Unauthorized("Authentication required: send Authorization: Bearer <API key or token>",
                       code="AUTH_REQUIRED")


def _from_api_key(secret: str, source_ip: str | None) -> Principal:
    invalid = Unauthorized("API key is invalid, expired or revoked", code="INVALID_API_KEY")
    if not is_well_formed(secret):
        raise invalid
    hashed, now = secret_hash(secret), clock.now_seconds()
    key = api_keys.find_by_secret_hash(hashed)
    if key is None or key.status_at(now) != "active":
        raise invalid
    if _use_is_news(key, now, source_ip):
        api_keys.record_use(hashed, now, source_ip)
    return Principal(tenant_id=key.tenant_id, kind="api_key", scope=Scope.from_label(key.scope),
                     expires_at=key.expires_at, api_key_id=key.id)


def _use_is_news(key: ApiKey, now: datetime, source_ip: str | None) -> bool:
    """Record use at one-minute granularity (or when the caller's IP changes): a busy key costs one
    read per request, not a read and a write."""
    return (key.last_used_at is None or key.last_used_ip != source_ip
            or now - key.last_used_at >= LAST_USED_GRANULARITY)


def principal_from_session_token(token: str) -> Principal:
    claims = read_token(token)
    credentials = accounts.get_credentials(claims.tenant_id, claims.user_id)
    if credentials is None or credentials.user.status != "active":
        raise Unauthorized("This account is no longer active", code="ACCOUNT_INACTIVE")
    if claims.token_version != credentials.token_version or claims.token_id in credentials.revoked_token_ids:
        raise Unauthorized("This session has been signed out; log in again", code="TOKEN_REVOKED")
    user = credentials.user
    return Principal(tenant_id=user.tenant_id, kind="user", scope=ROLE_SCOPES[user.role],
                     expires_at=claims.expires_at, user_id=user.id, email=user.email, role=user.role,
                     token_id=claims.token_id)
