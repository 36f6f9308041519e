"""The API key secret: `cf_live_` + 32 random bytes in base62 (43 chars) + a 6-char checksum.

The checksum lets us refuse a mistyped or truncated key without a database read; only the sha256
of the whole secret is stored, and `cf_live_` + 6 chars (14 chars) is shown as the key's prefix.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib

from shared.platform.ids import base62

SECRET_MARKER = "cf_live_"
_BODY_LENGTH = 43
_CHECKSUM_LENGTH = 6
_SHAPE = re.compile(rf"^{SECRET_MARKER}([0-9A-Za-z]{{{_BODY_LENGTH}}})([0-9A-Za-z]{{{_CHECKSUM_LENGTH}}})$")
PREFIX_LENGTH = len(SECRET_MARKER) + 6


def _checksum(body: str) -> str:
    return base62(zlib.crc32(body.encode()), _CHECKSUM_LENGTH)


def generate_secret() -> str:
    body = base62(int.from_bytes(secrets.token_bytes(32), "big"), _BODY_LENGTH)
    return f"{SECRET_MARKER}{body}{_checksum(body)}"


def is_well_formed(secret: str) -> bool:
    match = _SHAPE.match(secret)
    return bool(match) and _checksum(match.group(1)) == match.group(2)


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(SECRET_MARKER)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[:PREFIX_LENGTH]
