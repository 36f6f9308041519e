"""Webhook signatures: HMAC-SHA256 over f"{timestamp}.{raw body}", hex, with a 300 s tolerance.

Our own headers are `X-CallFunnel-Timestamp: <unix seconds>` and `X-CallFunnel-Signature: v1=<hex>` (several
`v1=` entries, comma-separated, are allowed). Stripe signs with exactly the same scheme, so its
`Stripe-Signature: t=<unix seconds>,v1=<hex>` header is accepted too: the real adapter's webhooks verify
here unchanged. Verification happens on the raw bytes, before any JSON parsing.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.platform.errors import BadRequest, Unauthorized
from shared.providers.payments.webhook_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, signature_headers

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "signature_headers"]  # the signer's side, re-exported

TOLERANCE_SECONDS = 300
STRIPE_HEADER = "Stripe-Signature"
_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MISSING = "Webhook signature headers are missing or malformed"


@dataclass(frozen=True)
class SignedRequest:
    timestamp: int
    signatures: tuple[str, ...]  # hex digests offered by the sender


def read_signed_request(headers: Mapping[str, str]) -> SignedRequest:
    """The timestamp and signatures from the headers; 400 SIGNATURE_MISSING when absent or garbled."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if SIGNATURE_HEADER.lower() in lowered:
        timestamp_text = lowered.get(TIMESTAMP_HEADER.lower(), "")
        pairs = _pairs(lowered[SIGNATURE_HEADER.lower()])
    elif STRIPE_HEADER.lower() in lowered:
        pairs = _pairs(lowered[STRIPE_HEADER.lower()])
        timestamp_text = next((value for name, value in pairs if name == "t"), "")
    else:
        raise BadRequest(_MISSING, code="SIGNATURE_MISSING")
    signatures = tuple(value.lower() for name, value in pairs if name == "v1" and _HEX_SHA256.match(value.lower()))
    timestamp_text = timestamp_text.strip()
    if not signatures or not timestamp_text.isascii() or not timestamp_text.isdigit() or len(timestamp_text) > 12:
        raise BadRequest(_MISSING, code="SIGNATURE_MISSING")
    return SignedRequest(int(timestamp_text), signatures)


def verify(headers: Mapping[str, str], body: bytes, secrets: Iterable[str], now: int) -> None:
    """Raise unless one of `secrets` (current, then previous during a rotation) signed this body recently."""
    signed = read_signed_request(headers)
    expected = [sign(secret, signed.timestamp, body) for secret in secrets]
    # compare_digest on every pair: no early exit that would time which secret almost matched.
    matches = [hmac.compare_digest(want, offered) for want in expected for offered in signed.signatures]
    if not any(matches):
        raise Unauthorized("Webhook signature does not match", code="SIGNATURE_INVALID")
    if abs(now - signed.timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized("Webhook timestamp is outside the 300 s tolerance", code="SIGNATURE_EXPIRED")


def _pairs(header: str) -> list[tuple[str, str]]:
    """`a=1,b=2` (commas or spaces) as [("a", "1"), ("b", "2")]; entries without `=` are dropped."""
    entries = (entry.strip() for entry in re.split(r"[,\s]+", header))
    return [tuple(entry.split("=", 1)) for entry in entries if "=" in entry]  # type: ignore[misc]
