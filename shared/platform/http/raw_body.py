"""The exact bytes a client sent: what signed webhooks (payments, Slack) verify before anything parses them."""

from __future__ import annotations

import base64


def raw_body(raw_event: dict) -> bytes:
    """API Gateway passes text bodies as text and base64-encodes the rest."""
    body = raw_event.get("body") or ""
    return base64.b64decode(body) if raw_event.get("isBase64Encoded") else body.encode("utf-8")
