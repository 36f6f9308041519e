"""Keyed hashes of a contact's identifiers: what an erased contact (DSR erase) is still recognised by.

A pseudonym is HMAC-SHA256 under a per-deployment pepper, so the same number always maps to the same
value (the DNC protection of an erased number still matches it) while nobody without the pepper can
test guesses against it. The pepper is, in order: the dedicated `DSR_PEPPER` setting, else the JWT signing
secret (env or Secrets Manager), else — locally only — a fixed development value. Rotating the secret that
serves as pepper would unblock every erased number: a dedicated, never-rotated pepper is what production needs.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from shared.platform.secrets import secret_string
from shared.platform.settings import get_settings

_DOMAIN = b"callfunnel-dsr-v1"
#: What an erased contact's number becomes in the rows that stay (`erased:<keyed hash>`).
PSEUDONYM_PREFIX = "erased:"
_LOCAL_PEPPER = "callfunnel-local-dsr-pepper"


@lru_cache(maxsize=1)
def _pepper() -> bytes:
    settings = get_settings()
    if settings.dsr_pepper is not None:
        return settings.dsr_pepper.get_secret_value().encode()
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value().encode()
    if settings.jwt_secret_arn:
        return secret_string(settings.jwt_secret_arn).encode()
    if settings.is_local:
        return _LOCAL_PEPPER.encode()
    raise RuntimeError("A DSR pepper (or JWT_SECRET / JWT_SECRET_ARN) must be configured")


def is_pseudonym(value: str) -> bool:
    """Whether this contact identifier is an erased contact's pseudonym."""
    return value.startswith(PSEUDONYM_PREFIX)


def reset_pepper() -> None:
    """Forget the cached pepper (tests change the environment)."""
    _pepper.cache_clear()


def contact_hash(kind: str, value: str) -> str:
    """Hex HMAC-SHA256 of one identifier: `kind` "phone" (E.164) or "email" (lower-cased here)."""
    normalised = value.strip().lower() if kind == "email" else value.strip()
    message = b"|".join((_DOMAIN, kind.encode(), normalised.encode()))
    return hmac.new(_pepper(), message, hashlib.sha256).hexdigest()
