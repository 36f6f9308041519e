"""Approve / Deny clicked in Slack: verify and enqueue at once (Slack wants an answer within 3 s), decide later.

The route verifies the v0 signature on the raw form body, reads the `block_actions` payload and queues
`{tenant_id, approval_id, decision, slack_user, team_id, response_url}`. The consumer maps the click's Slack
workspace (`team.id`) to the tenant it is connected to and refuses a click from any other workspace (the clicker
is told, ephemerally); then it decides through the service (the first decision wins), so a later click, an
expired approval or an id that is not the block's tenant's is acknowledged without effect; anything else
propagates and SQS retries (then the DLQ).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from shared.approvals import slack_signature
from shared.approvals.models import Decision
from shared.approvals.notifier import APPROVE_ACTION_ID, DENY_ACTION_ID
from shared.integrations import service as integrations
from shared.platform import clock
from shared.platform.errors import BadRequest, Conflict, NotFound, Unavailable
from shared.platform.observability import get_logger

DECISIONS: dict[str, Decision] = {APPROVE_ACTION_ID: "approve", DENY_ACTION_ID: "deny"}
BLOCK_PREFIX = "approval"
RESPONSE_TIMEOUT_SECONDS = 3.0
DECIDED, ALREADY_DECIDED, NOT_FOUND, WRONG_WORKSPACE = "decided", "already_decided", "not_found", "wrong_workspace"
WRONG_WORKSPACE_REPLY = ("This approval belongs to a CallFunnel workspace that is not connected to this Slack "
                         "workspace: nothing was decided.")


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


def handle_message(body: str) -> str:
    """Decide one queued click; returns what happened. A malformed body raises (ours: the DLQ shows it)."""
    from shared.approvals import service

    action = SlackAction.model_validate_json(body)
    log = {"tenant_id": action.tenant_id, "approval_id": action.approval_id, "decision": action.decision,
           "team_id": action.team_id}
    if integrations.tenant_of_team(action.team_id or "") != action.tenant_id:
        # The workspace is not the approval's tenant's (another tenant's, or none's): it decides nothing here.
        get_logger().warning("Slack approval click from another workspace refused", extra=log)
        _respond(action, WRONG_WORKSPACE_REPLY)
        return WRONG_WORKSPACE
    try:
        decided = service.decide(service.Actor(action.tenant_id, f"slack:{action.slack_user}"),
                                 action.approval_id, action.decision, note=None)
    except (Conflict, NotFound) as refused:
        # Someone decided first, the deadline passed, or the id is not this tenant's: a retry cannot help.
        get_logger().info("Slack approval click refused; acknowledged", extra={**log, "code": refused.code})
        _respond(action, refused.message)
        return NOT_FOUND if isinstance(refused, NotFound) else ALREADY_DECIDED
    get_logger().info("Slack approval click decided", extra=log)
    _respond(action, f"Approval {decided.status} by <@{action.slack_user}>.")
    return DECIDED


def _respond(action: SlackAction, text: str) -> None:
    """Best-effort ephemeral reply to the clicker through Slack's response_url; never raises."""
    from shared.platform.settings import get_settings

    url = action.response_url
    # Only Slack's own host gets a follow-up POST: the URL comes from the (signed) payload, but never fetch elsewhere.
    if not url or not url.startswith(get_settings().slack_response_url_prefix):
        return
    post_to_slack(url, {"response_type": "ephemeral", "replace_original": False, "text": text})


def post_to_slack(url: str, message: dict[str, Any]) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(message).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS) as response:
            response.read()
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        get_logger().warning("Slack response_url reply failed", extra={"reason": str(error)[:200]})
