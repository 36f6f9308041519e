"""Tenants (workspaces) and their users, as the domain and the API see them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

Country = Literal["IN", "US", "GB", "AU", "CA", "SG", "AE"]
TenantStatus = Literal["active", "suspended"]
UserStatus = Literal["active", "disabled"]
Role = Literal["owner", "admin", "member", "viewer"]


class Tenant(BaseModel):
    id: int
    name: str
    status: TenantStatus
    plan_tier: str
    country: str
    currency: str
    created_at: datetime


class User(BaseModel):
    id: str
    tenant_id: int
    email: str
    full_name: str | None
    role: Role
    status: UserStatus
    email_verified: bool
    email_verified_at: datetime | None
    auth_provider: Literal["password", "google", "microsoft"]
    created_at: datetime


class UserCredentials(BaseModel):
    """What login needs and the API never shows."""

    user: User
    password_hash: str | None
    token_version: int
    revoked_token_ids: frozenset[str] = frozenset()


class EmailVerification(BaseModel):
    tenant_id: int
    user_id: str
    email: str
    expires_at: datetime
    verified_at: datetime | None


class SignupResult(BaseModel):
    tenant: Tenant
    user: User
    verify_email_sent: bool


class EmailVerified(BaseModel):
    ok: bool
    email: str
    verified_at: datetime


class Session(BaseModel):
    token: str
    expires_in: int
    expires_at: datetime
    user: User
    tenant: Tenant


class WhoAmI(BaseModel):
    user: User | None
    tenant: Tenant
    expires_at: datetime | None
    auth: str  # "user" or "api_key"
    scope: str
