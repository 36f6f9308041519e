"""Approve / Deny clicked in Slack: verify and enqueue at once (Slack wants an answer within 3 s), decide later.

The route verifies the v0 signature on the raw form body, reads the `block_actions` payload and queues
`{tenant_id, approval_id, decision, slack_user, team_id, response_url}`; the slack-actions consumer decides it
(`shared.approvals.slack_clicks`). Kept apart from the consumer so the route's package carries no Slack client,
no KMS and no table access: it only verifies and enqueues.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping

from pydantic import BaseModel

from shared.approvals import slack_signature
from shared.approvals.models import APPROVE_ACTION_ID, DENY_ACTION_ID, TRANSFER_ACTION_ID, Decision
from shared.platform import clock
from shared.platform.errors import BadRequest, Unavailable
from shared.platform.observability import get_logger

DECISIONS: dict[str, Decision] = {APPROVE_ACTION_ID: "approve", DENY_ACTION_ID: "deny",
                                  TRANSFER_ACTION_ID: "transfer"}
BLOCK_PREFIX = "approval"


class SlackAction(BaseModel):
    """One queued click."""

    tenant_id: int
    approval_id: str
    decision: Decision
    slack_user: str
    #: The Slack workspace the click came from (`team.id`); None only on clicks queued before it was read.
    team_id: str | None = None
    response_url: str | None = None


def parse_payload(body: bytes) -> SlackAction | None:
    """The click in a verified form body; None for payloads and buttons that are not an approval decision."""
    try:
        fields = urllib.parse.parse_qs(body.decode("utf-8"), strict_parsing=False)
        payload = json.loads(fields["payload"][0])
    except (UnicodeDecodeError, KeyError, IndexError, ValueError) as error:
        raise BadRequest("Slack payload is missing or is not JSON", code="MALFORMED_PAYLOAD") from error
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return None
    actions = payload.get("actions") or []
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    decision = DECISIONS.get(action.get("action_id", ""))
    target = _block_target(str(action.get("block_id", "")))
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    team = payload.get("team") if isinstance(payload.get("team"), dict) else {}
    team_id = team.get("id") or user.get("team_id")
    if decision is None or target is None or action.get("value") != target[1] or not user.get("id") \
            or not isinstance(team_id, str) or not team_id:
        return None
    response_url = payload.get("response_url")
    return SlackAction(tenant_id=target[0], approval_id=target[1], decision=decision, slack_user=str(user["id"]),
                       team_id=team_id, response_url=response_url if isinstance(response_url, str) else None)


def _block_target(block_id: str) -> tuple[int, str] | None:
    """`approval:{tenant_id}:{approval_id}` (the notifier's block id) as (tenant_id, approval_id)."""
    parts = block_id.split(":")
    if len(parts) != 3 or parts[0] != BLOCK_PREFIX or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[1]), parts[2]


def _signing_secret() -> str | None:
    from shared.platform.settings import get_settings

    secret = get_settings().slack_signing_secret
    return secret.get_secret_value() if secret and secret.get_secret_value() else None


def receive(headers: Mapping[str, str], body: bytes) -> SlackAction | None:
    """Verify, parse and enqueue one interactivity request; returns the queued click (None: ignored)."""
    slack_signature.read_signed_request(headers)  # an unsigned request is 400, configured or not
    secret = _signing_secret()
    if not secret:
        raise Unavailable("Slack interactivity is not configured", code="SLACK_NOT_CONFIGURED")
    slack_signature.verify(headers, body, secret, clock.epoch_seconds())
    action = parse_payload(body)
    if action is None:
        get_logger().info("Slack interaction ignored: not an approval decision")
        return None
    _enqueue(action)
    get_logger().info("Slack approval click queued", extra={"tenant_id": action.tenant_id,
                                                            "approval_id": action.approval_id})
    return action


def _enqueue(action: SlackAction) -> None:
    from shared.platform.queues import send
    from shared.platform.settings import get_settings

    send(get_settings().slack_actions_queue_url, action.model_dump_json(),
         attributes={"approval_id": action.approval_id}, unconfigured_code="SLACK_NOT_CONFIGURED")
