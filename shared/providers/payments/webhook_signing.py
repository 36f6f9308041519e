"""How a payment processor signs its webhooks: HMAC-SHA256 over f"{timestamp}.{raw body}", hex.

The signer's side, used by the sandbox processor (and tests); verifying is the payments domain's job
(`shared.payments.signature`), which accepts exactly these headers (and Stripe's, signed the same way).
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-CallFunnel-Timestamp"
SIGNATURE_HEADER = "X-CallFunnel-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    payload = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def signature_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers a sender (the sandbox processor, tests) attaches to a webhook."""
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"v1={sign(secret, timestamp, body)}"}
