"""Identifiers and secrets.

Entity ids are a short type prefix plus a time-ordered, random suffix (sortable like a ULID), so a
listing by id is also a listing by creation time.
"""

from __future__ import annotations

import secrets

from shared.platform import clock

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int = 0) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def new_id(prefix: str) -> str:
    """`usr_` + 8 chars of milliseconds + 12 random chars, e.g. `usr_0Pq3xZ9a4hGk2LmN8sT1`."""
    millis = int(clock.now().timestamp() * 1000)  # the stack's clock: ids sort with the timestamps we store
    return f"{prefix}_{base62(millis, 8)}{random_base62(12)}"


def random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def url_token(n_bytes: int = 32) -> str:
    return secrets.token_urlsafe(n_bytes)
