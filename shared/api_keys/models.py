"""API keys as the API shows them (never with their secret, except once at minting)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

ScopeLabel = Literal["read", "write", "admin"]
KeyStatus = Literal["active", "expired", "revoked"]


class ApiKey(BaseModel):
    id: str
    tenant_id: int
    name: str
    prefix: str
    scope: ScopeLabel
    created_at: datetime
    created_by_user_id: str
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    revoked_at: datetime | None
    revoked_reason: str | None

    def status_at(self, moment: datetime) -> KeyStatus:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= moment:
            return "expired"
        return "active"


class ApiKeyView(BaseModel):
    """One row of `GET /api-keys`."""

    id: str
    name: str
    prefix: str
    scope: ScopeLabel
    status: KeyStatus
    created_at: datetime
    created_by_user_id: str
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    revoked_at: datetime | None
    revoked_reason: str | None

    @classmethod
    def of(cls, key: ApiKey, moment: datetime) -> "ApiKeyView":
        return cls(status=key.status_at(moment), **key.model_dump(exclude={"tenant_id"}))


class MintedApiKey(ApiKeyView):
    """`POST /api-keys` 201: the only response that ever carries the secret (once: a replay of the same
    Idempotency-Key answers null, since the secret is never stored)."""

    secret: str | None
