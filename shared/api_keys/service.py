"""Minting, listing, revoking and deleting API keys — by logged-in users only (the route policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.api_keys import repository, secrets
from shared.api_keys.models import ApiKey, ApiKeyView, MintedApiKey, ScopeLabel
from shared.auth.principal import Principal, Scope
from shared.platform import clock
from shared.platform.errors import BadRequest, Conflict, Forbidden, NotFound
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event
from shared.platform.settings import get_settings

MAX_EXPIRY_DAYS = 3650


def _expiry(now: datetime, expires_in_days: int | None, expires_at: datetime | None) -> datetime | None:
    if expires_in_days is not None and expires_at is not None:
        raise BadRequest("Give expires_in_days or expires_at, not both", code="VALIDATION_ERROR",
                         field="expires_at")
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise BadRequest(f"expires_in_days must be between 1 and {MAX_EXPIRY_DAYS}",
                             code="VALIDATION_ERROR", field="expires_in_days")
        return now + timedelta(days=expires_in_days)
    if expires_at is not None:
        # A date or a time without a zone is read as UTC; every timestamp we return is UTC.
        expires_at = (expires_at.replace(tzinfo=UTC) if expires_at.tzinfo is None else expires_at.astimezone(UTC))
        if expires_at <= now:
            raise BadRequest("expires_at must be in the future", code="VALIDATION_ERROR", field="expires_at")
        return expires_at.replace(microsecond=0)
    return None


def mint_key(principal: Principal, *, name: str, scope: ScopeLabel, expires_in_days: int | None,
             expires_at: datetime | None) -> MintedApiKey:
    now = clock.now_seconds()
    name = name.strip()
    if not name:
        raise BadRequest("name must not be blank", code="VALIDATION_ERROR", field="name")
    if Scope.from_label(scope) > principal.scope:
        raise Forbidden(f"Your role cannot mint a key with scope '{scope}'", code="SCOPE_EXCEEDS_ROLE",
                        field="scope")
    expiry = _expiry(now, expires_in_days, expires_at)
    limit = get_settings().max_active_api_keys
    active = [key for key in repository.list_for_tenant(principal.tenant_id) if key.status_at(now) == "active"]
    if len(active) >= limit:
        raise BadRequest(f"This workspace already has {limit} active keys; revoke one first",
                         code="API_KEY_LIMIT_REACHED")
    secret = secrets.generate_secret()
    key = ApiKey(id=new_id("key"), tenant_id=principal.tenant_id, name=name,
                 prefix=secrets.display_prefix(secret), scope=scope, created_at=now,
                 created_by_user_id=principal.user_id or "", expires_at=expiry, last_used_at=None,
                 last_used_ip=None, revoked_at=None, revoked_reason=None)
    repository.create(key, secrets.secret_hash(secret))
    count_business_event("ApiKeyMinted")
    return MintedApiKey(secret=secret, **ApiKeyView.of(key, now).model_dump())


def list_keys(principal: Principal) -> list[ApiKeyView]:
    now = clock.now()
    return [ApiKeyView.of(key, now) for key in repository.list_for_tenant(principal.tenant_id)]


def revoke_key(principal: Principal, key_id: str, reason: str | None) -> ApiKeyView:
    key = repository.revoke(principal.tenant_id, key_id, clock.now_seconds(), reason)
    if key is None:
        raise NotFound("No such API key in this workspace", code="API_KEY_NOT_FOUND")
    return ApiKeyView.of(key, clock.now())


def delete_key(principal: Principal, key_id: str) -> None:
    deleted = repository.delete_inactive(principal.tenant_id, key_id, clock.now())
    if deleted is None:
        raise NotFound("No such API key in this workspace", code="API_KEY_NOT_FOUND")
    if not deleted:
        raise Conflict("The key is still active; revoke it first", code="API_KEY_ACTIVE")
