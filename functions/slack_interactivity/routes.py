"""Slack interactivity (Approve / Deny buttons). Public: Slack's v0 signature is the authentication.

The route declares no typed body on purpose: the body is a signed form (`payload=<json>`), verified on the
raw bytes before anything parses it. The service is imported inside the route (cold starts).
"""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

router = APIGatewayHttpRouter()
TAGS = ["Approvals"]


class SlackAck(BaseModel):
    ok: bool


@router.post("/slack/interactivity", tags=TAGS,
             summary="Slack button clicks: v0-signed (X-Slack-Signature), acknowledged at once, decided from a queue")
def receive_slack_interaction() -> SlackAck:
    from shared.approvals import slack_interactivity

    event = router.current_event
    slack_interactivity.receive(event.headers or {}, _raw_body(event.raw_event))
    return SlackAck(ok=True)


def _raw_body(raw_event: dict) -> bytes:
    # The exact bytes Slack signed: API Gateway passes a form body as text, anything else base64-encoded.
    body = raw_event.get("body") or ""
    return base64.b64decode(body) if raw_event.get("isBase64Encoded") else body.encode("utf-8")
