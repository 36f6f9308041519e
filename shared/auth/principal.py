"""Who is calling: the result of authentication, handed to every protected route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shared.accounts.models import User
    from shared.billing.models import Wallet


class Scope(IntEnum):
    """Ordered: each scope includes the ones below it."""

    READ = 1
    WRITE = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> "Scope":
        return cls[label.upper()]


#: What each user role may do (API keys carry their own scope).
ROLE_SCOPES: dict[str, Scope] = {"owner": Scope.ADMIN, "admin": Scope.ADMIN, "member": Scope.WRITE,
                                 "viewer": Scope.READ}


@dataclass(frozen=True)
class Principal:
    tenant_id: int
    kind: Literal["user", "api_key"]
    scope: Scope
    expires_at: datetime | None
    user_id: str | None = None
    email: str | None = None
    role: str | None = None
    api_key_id: str | None = None
    token_id: str | None = None
    #: The tenant's wallet, read (strongly consistent) together with the credential — None when the
    #: authentication path could not batch it.
    wallet: "Wallet | None" = None
    #: The user behind a session token, from that same read (None for an API key): `GET /auth/me` shows it
    #: without reading it again.
    user: "User | None" = None

    @property
    def is_user(self) -> bool:
        return self.kind == "user"


@dataclass(frozen=True)
class Credentials:
    """What a request presented: a bearer (API key or JWT), the session cookie, where it came from."""

    bearer: str | None
    session_cookie: str | None
    source_ip: str | None

    @property
    def authenticates_by_cookie(self) -> bool:
        """`authenticate` prefers a bearer: the cookie authenticates only a request that sends none."""
        return self.bearer is None and self.session_cookie is not None
