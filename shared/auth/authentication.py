"""Turn a request's credentials into a Principal.

Order: `Authorization: Bearer cf_live_…` (API key), `Authorization: Bearer <jwt>`, then the
`cf_session` cookie. Nothing about a credential's validity is cached: every request re-reads the key
or the user, strongly consistent, so a revocation takes effect at once. That read also brings the
tenant's wallet (one BatchGetItem): the principal carries it, and routes that need the account state
read nothing more. For an API key the tenant is known only after its first lookup in a container —
the key → tenant mapping never changes, so it is remembered; the first request costs two reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.accounts.models import UserCredentials
from shared.api_keys import repository as api_keys
from shared.api_keys.models import ApiKey
from shared.api_keys.secrets import is_well_formed, looks_like_api_key, secret_hash
from shared.auth import repository
from shared.auth.principal import ROLE_SCOPES, Credentials, Principal, Scope
from shared.auth.tokens import read_token
from shared.billing.models import Wallet
from shared.platform import clock
from shared.platform.errors import Unauthorized

LAST_USED_GRANULARITY = timedelta(minutes=1)
_KNOWN_KEY_TENANTS_LIMIT = 10_000
_tenant_of_key: dict[str, int] = {}  # sha256 of a key → its tenant (immutable facts, safe to keep)


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
    key, wallet = _read_key(hashed)
    if key is None or key.status_at(now) != "active":
        raise invalid
    if _use_is_news(key, now, source_ip):
        api_keys.record_use(hashed, now, source_ip)
    return Principal(tenant_id=key.tenant_id, kind="api_key", scope=Scope.from_label(key.scope),
                     expires_at=key.expires_at, api_key_id=key.id, wallet=wallet)


def _read_key(hashed: str) -> tuple[ApiKey | None, Wallet | None]:
    tenant_id = _tenant_of_key.get(hashed)
    if tenant_id is not None:
        return repository.api_key_with_wallet(hashed, tenant_id)
    key = api_keys.find_by_secret_hash(hashed)
    if key is not None:
        if len(_tenant_of_key) >= _KNOWN_KEY_TENANTS_LIMIT:
            _tenant_of_key.clear()
        _tenant_of_key[hashed] = key.tenant_id
    return key, None


def _use_is_news(key: ApiKey, now: datetime, source_ip: str | None) -> bool:
    """Record use at one-minute granularity (or when the caller's IP changes): a busy key costs one
    read per request, not a read and a write."""
    return (key.last_used_at is None or key.last_used_ip != source_ip
            or now - key.last_used_at >= LAST_USED_GRANULARITY)


def principal_from_session_token(token: str) -> Principal:
    claims = read_token(token)
    credentials, wallet = repository.user_with_wallet(claims.tenant_id, claims.user_id)
    _ensure_live_session(credentials, claims.token_version, claims.token_id)
    user = credentials.user
    return Principal(tenant_id=user.tenant_id, kind="user", scope=ROLE_SCOPES[user.role],
                     expires_at=claims.expires_at, user_id=user.id, email=user.email, role=user.role,
                     token_id=claims.token_id, wallet=wallet, user=user)


def _ensure_live_session(credentials: UserCredentials | None, token_version: int, token_id: str) -> None:
    if credentials is None or credentials.user.status != "active":
        raise Unauthorized("This account is no longer active", code="ACCOUNT_INACTIVE")
    if token_version != credentials.token_version or token_id in credentials.revoked_token_ids:
        raise Unauthorized("This session has been signed out; log in again", code="TOKEN_REVOKED")
