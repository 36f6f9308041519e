"""Slack interactivity (Approve / Deny buttons). Public: Slack's v0 signature is the authentication.

The route declares no typed body on purpose: the body is a signed form (`payload=<json>`), verified on the
raw bytes before anything parses it. The service is imported inside the route (cold starts).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from shared.platform.http.raw_body import raw_body

router = APIGatewayHttpRouter()
TAGS = ["Approvals"]


class SlackAck(BaseModel):
    ok: bool


@router.post("/slack/interactivity", tags=TAGS,
             summary="Slack button clicks: v0-signed (X-Slack-Signature), acknowledged at once, decided from a queue")
def receive_slack_interaction() -> SlackAck:
    from shared.approvals import slack_interactivity

    event = router.current_event
    slack_interactivity.receive(event.headers or {}, raw_body(event.raw_event))
    return SlackAck(ok=True)

