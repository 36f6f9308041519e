"""Keyed hashes that stand in for an erased contact (DSR erase), and the spellings of its identifiers.

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

PSEUDONYM_PREFIX = "erased:"
_DOMAIN = b"callfunnel-dsr-v1"
_LOCAL_PEPPER = "callfunnel-local-dsr-pepper"


@lru_cache(maxsize=1)
def _pepper() -> bytes:
    from shared.platform.settings import get_settings

    settings = get_settings()
    if settings.dsr_pepper is not None:
        return settings.dsr_pepper.get_secret_value().encode()
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value().encode()
    if settings.jwt_secret_arn:
        from shared.platform.aws import client

        return client("secretsmanager").get_secret_value(SecretId=settings.jwt_secret_arn)["SecretString"].encode()
    if settings.is_local:
        return _LOCAL_PEPPER.encode()
    raise RuntimeError("A DSR pepper (or JWT_SECRET / JWT_SECRET_ARN) must be configured")


def reset_pepper() -> None:
    """Forget the cached pepper (tests change the environment)."""
    _pepper.cache_clear()


def contact_hash(kind: str, value: str) -> str:
    """Hex HMAC-SHA256 of one identifier: `kind` "phone" (E.164) or "email" (lower-cased here)."""
    normalised = value.strip().lower() if kind == "email" else value.strip()
    message = b"|".join((_DOMAIN, kind.encode(), normalised.encode()))
    return hmac.new(_pepper(), message, hashlib.sha256).hexdigest()


def phone_pseudonym(e164: str) -> str:
    """What replaces an erased number in rows that must stay (DNC audit, calls, approvals)."""
    return f"{PSEUDONYM_PREFIX}{contact_hash('phone', e164)}"


def phone_spellings(e164: str) -> tuple[str, ...]:
    """The ways a number shows up in free text: +14155550123, 14155550123, 4155550123 (last 10 digits)."""
    digits = e164.lstrip("+")
    return tuple(dict.fromkeys(spelling for spelling in (e164, digits, digits[-10:]) if len(spelling) >= 7))


def mentions(text: str, needles: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(needle.lower() in lowered for needle in needles)
