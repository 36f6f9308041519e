"""The slack-actions consumer's side of a click: decide it, once, for the tenant its Slack workspace belongs to.

The click's workspace (`team.id`) is mapped to the tenant it is connected to; a click from any other workspace
(another tenant's, or one no tenant connected) is refused and the clicker told, ephemerally. Then the service
decides (the first decision wins), so a later click, an expired approval or an id that is not the block's tenant's
is acknowledged without effect; anything else propagates and SQS retries (then the DLQ).
"""

from __future__ import annotations

import json
from typing import Any

from shared.approvals import service
from shared.approvals.slack_interactivity import SlackAction
from shared.integrations import service as integrations
from shared.platform.errors import Conflict, Invalid, NotFound
from shared.platform.observability import get_logger
from shared.platform.settings import get_settings

RESPONSE_TIMEOUT_SECONDS = 3.0
DECIDED, ALREADY_DECIDED, NOT_FOUND, WRONG_WORKSPACE = "decided", "already_decided", "not_found", "wrong_workspace"
WRONG_WORKSPACE_REPLY = ("This approval belongs to a CallFunnel workspace that is not connected to this Slack "
                         "workspace: nothing was decided.")


def handle_message(body: str) -> str:
    """Decide one queued click; returns what happened. A malformed body raises (ours: the DLQ shows it)."""
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
    except (Conflict, NotFound, Invalid) as refused:  # Invalid: a Transfer click the workflow no longer allows
        # Someone decided first, the deadline passed, or the id is not this tenant's: a retry cannot help.
        get_logger().info("Slack approval click refused; acknowledged", extra={**log, "code": refused.code})
        _respond(action, refused.message)
        return NOT_FOUND if isinstance(refused, NotFound) else ALREADY_DECIDED
    get_logger().info("Slack approval click decided", extra=log)
    _respond(action, f"Approval {decided.status} by <@{action.slack_user}>.")
    return DECIDED


def _respond(action: SlackAction, text: str) -> None:
    """Best-effort ephemeral reply to the clicker through Slack's response_url; never raises."""
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
