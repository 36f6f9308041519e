"""Signing secrets and signatures, as the Standard Webhooks specification says (the `standardwebhooks` library).

A secret is `whsec_` + base64 of 32 random bytes (the specification allows 24–64). Each attempt carries
`webhook-id` (the event's id: the same on every retry, so receivers deduplicate), `webhook-timestamp` (when this
attempt was signed) and `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
"""

from __future__ import annotations

import base64
import secrets
import time
from datetime import UTC, datetime

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signed_headers(secret: str, webhook_id: str, body: str) -> dict[str, str]:
    """The headers of one attempt. The timestamp is the real time of sending, not the stack's clock: receivers
    compare it with their own clock (5 minutes' tolerance), and a sandbox clock moved into a calling window must
    not make every signature look stale."""
    from standardwebhooks import Webhook

    signed_at = datetime.fromtimestamp(int(time.time()), tz=UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=webhook_id, timestamp=signed_at, data=body),
        "content-type": "application/json",
        "user-agent": "CallFunnel-Webhooks/1.0",
    }
