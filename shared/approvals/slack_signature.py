"""Slack request signatures (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:{ts}:{raw body}")>`.

Verified on the raw bytes before anything is parsed; a timestamp more than 300 s away from now (either
way) is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

from shared.platform.errors import BadRequest, Unauthorized

TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
_V0_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")
_MISSING = "Slack signature headers are missing or malformed"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signature_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers Slack attaches (tests and local tools sign with this)."""
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body)}


def read_signed_request(headers: Mapping[str, str]) -> tuple[int, str]:
    """(timestamp, signature); 400 SIGNATURE_MISSING when either is absent or garbled."""
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp_text = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
    offered = lowered.get(SIGNATURE_HEADER.lower(), "").strip().lower()
    if not _V0_SIGNATURE.match(offered) or not (timestamp_text.isascii() and timestamp_text.isdigit()) \
            or len(timestamp_text) > 12:
        raise BadRequest(_MISSING, code="SIGNATURE_MISSING")
    return int(timestamp_text), offered


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: int) -> None:
    """Raise unless `secret` signed this body within the tolerance."""
    timestamp, offered = read_signed_request(headers)
    if not hmac.compare_digest(sign(secret, timestamp, body), offered):
        raise Unauthorized("Slack signature does not match", code="SIGNATURE_INVALID")
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized("Slack timestamp is outside the 300 s tolerance", code="SIGNATURE_EXPIRED")
