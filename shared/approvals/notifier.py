"""The port "a human should decide this approval", a Slack incoming-webhook adapter and a sandbox adapter.

Notifying is best-effort: the approval exists (and shows in `GET /approvals`) whether or not Slack
answered, so a failure is logged and never fails the request.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Protocol

from shared.approvals.models import Approval, OutboxMessage
from shared.platform import clock
from shared.platform.ids import new_id
from shared.platform.observability import get_logger, mask_phone

SLACK_TIMEOUT_SECONDS = 3.0
APPROVE_ACTION_ID = "approval_approve"
DENY_ACTION_ID = "approval_deny"


class ApprovalNotifier(Protocol):
    def notify(self, approval: Approval) -> None:
        """Tell a human that this approval waits for a decision; never raises."""


def _proposal_text(approval: Approval) -> str:
    value = ""
    if approval.proposed_value_minor is not None:
        value = f" of {approval.proposed_value_minor} {approval.currency} (minor units)"
    return f"*{approval.proposed_action.capitalize()}*{value} proposed for {mask_phone(approval.target_phone)}"


def slack_message(approval: Approval) -> dict[str, Any]:
    """Block Kit: what was proposed and why, and Approve / Deny buttons whose value is the approval id."""
    deadline = clock.iso(approval.expires_at)
    return {
        "text": f"Approval needed: {approval.proposed_action} ({approval.id})",  # notification fallback
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _proposal_text(approval)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"_Why:_ {approval.rationale}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": (
                f"Workflow `{approval.workflow_id}` · run `{approval.run_id}` · decide before {deadline}")}]},
            {"type": "actions", "block_id": f"approval:{approval.tenant_id}:{approval.id}", "elements": [
                {"type": "button", "action_id": APPROVE_ACTION_ID, "style": "primary", "value": approval.id,
                 "text": {"type": "plain_text", "text": "Approve"}},
                {"type": "button", "action_id": DENY_ACTION_ID, "style": "danger", "value": approval.id,
                 "text": {"type": "plain_text", "text": "Deny"}},
            ]},
        ],
    }


class SlackWebhookNotifier:
    def __init__(self, webhook_url: str, timeout_seconds: float = SLACK_TIMEOUT_SECONDS) -> None:
        self._url = webhook_url
        self._timeout = timeout_seconds

    def notify(self, approval: Approval) -> None:
        body = json.dumps(slack_message(approval)).encode()
        request = urllib.request.Request(self._url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            # urllib raises HTTPError (a URLError) for 4xx/5xx: Slack refused or is down.
            get_logger().warning("Slack approval notification failed", extra={
                "tenant_id": approval.tenant_id, "approval_id": approval.id, "reason": str(error)[:200]})


class SandboxNotifier:
    """Keeps the message Slack would have received in the table, for a sandbox outbox to show."""

    def notify(self, approval: Approval) -> None:
        from shared.approvals import repository

        message = OutboxMessage(id=new_id("slk"), tenant_id=approval.tenant_id, approval_id=approval.id,
                                sent_at=clock.now(), payload=slack_message(approval))
        try:
            repository.keep_outbox_message(message)
        except Exception as error:  # best-effort, like the real adapter
            get_logger().warning("Sandbox approval notification failed", extra={
                "tenant_id": approval.tenant_id, "approval_id": approval.id, "reason": str(error)[:200]})


def default_notifier() -> ApprovalNotifier:
    from shared.platform.settings import get_settings

    url = get_settings().slack_webhook_url
    return SlackWebhookNotifier(url.get_secret_value()) if url else SandboxNotifier()
