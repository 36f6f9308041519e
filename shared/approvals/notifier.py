"""Approval messages in the tenant's own Slack: posted to the channel it chose when an approval waits
(chat.postMessage, Block Kit with Approve / Deny), updated in place once decided — from Slack or from the API
(chat.update, the buttons replaced by the outcome).

Best-effort: the approval exists (and shows in `GET /approvals`) whether or not Slack answered, so a failure is
logged and never fails the request. A tenant that has not connected Slack (or chosen a channel) gets nothing
sent, and decides through the API.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.approvals import repository
from shared.approvals.models import APPROVE_ACTION_ID, DENY_ACTION_ID, TRANSFER_ACTION_ID, Approval
from shared.approvals.transfer_rule import may_transfer
from shared.integrations import service as integrations
from shared.integrations.models import ConnectedSlack
from shared.platform import clock
from shared.platform.observability import get_logger, mask_phone
from shared.providers.slack.port import SlackApi
from shared.providers.slack.web_api import slack_api

_OUTCOMES = {"approved": ":white_check_mark: *Approved*", "denied": ":no_entry: *Denied*"}
_TRANSFERRED = ":telephone_receiver: *Transferred to a person*"


class ApprovalNotifier(Protocol):
    def notify(self, approval: Approval) -> None:
        """Tell a human that this approval waits for a decision; never raises."""

    def decided(self, approval: Approval) -> None:
        """Show the decision where the human was told; never raises."""


def _proposal_text(approval: Approval) -> str:
    value = ""
    if approval.proposed_value_minor is not None:
        value = f" of {approval.proposed_value_minor} {approval.currency} (minor units)"
    return f"*{approval.proposed_action.capitalize()}*{value} proposed for {mask_phone(approval.target_phone)}"


def _about(approval: Approval) -> list[dict[str, Any]]:
    deadline = clock.iso(approval.expires_at)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _proposal_text(approval)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"_Why:_ {approval.rationale}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"Workflow `{approval.workflow_id}` · run `{approval.run_id}` · decide before {deadline}")}]},
    ]


def slack_message(approval: Approval, *, transferable: bool = False) -> dict[str, Any]:
    """Block Kit: what was proposed and why, and Approve / Deny buttons whose value is the approval id — and
    Transfer (to the rule book's transfer number, instead of answering) when `transferable`."""
    buttons = [{"type": "button", "action_id": APPROVE_ACTION_ID, "style": "primary", "value": approval.id,
                "text": {"type": "plain_text", "text": "Approve"}},
               {"type": "button", "action_id": DENY_ACTION_ID, "style": "danger", "value": approval.id,
                "text": {"type": "plain_text", "text": "Deny"}}]
    if transferable:
        buttons.append({"type": "button", "action_id": TRANSFER_ACTION_ID, "value": approval.id,
                        "text": {"type": "plain_text", "text": "Transfer"}})
    return {
        "text": f"Approval needed: {approval.proposed_action} ({approval.id})",  # notification fallback
        "blocks": [*_about(approval),
                   {"type": "actions", "block_id": f"approval:{approval.tenant_id}:{approval.id}",
                    "elements": buttons}],
    }


def decided_message(approval: Approval) -> dict[str, Any]:
    """The same message once decided: no buttons left, the outcome, who and when."""
    outcome = (_TRANSFERRED if approval.decision_detail == "transfer"
               else _OUTCOMES.get(approval.status, f"*{approval.status.capitalize()}*"))
    when = clock.iso(approval.decided_at) or ""
    note = f"\n_Note:_ {approval.note}" if approval.note else ""
    return {
        "text": f"Approval {approval.status}: {approval.proposed_action} ({approval.id})",
        "blocks": [*_about(approval), {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"{outcome} by {_decider(approval.decided_by)} at {when}{note}")}}],
    }


def _decider(label: str | None) -> str:
    """`slack:U123` → a Slack mention; a CallFunnel user or API key by its id."""
    if not label:
        return "someone"
    if label.startswith("slack:"):
        return f"<@{label.removeprefix('slack:')}>"
    if label.startswith("api_key:"):
        return f"API key `{label.removeprefix('api_key:')}`"
    return f"`{label}` in CallFunnel"


class SlackApprovalNotifier:
    def __init__(self, api: SlackApi | None = None) -> None:
        self._api = api or slack_api()

    def notify(self, approval: Approval) -> None:
        try:
            slack = integrations.connected_slack(approval.tenant_id)
            if slack is None or slack.channel_id is None:
                return  # no Slack (or no channel chosen): the API is where this tenant decides
            posted = self._api.post_message(slack.token, slack.channel_id,
                                            slack_message(approval, transferable=may_transfer(approval)))
            current = repository.record_slack_message(approval.tenant_id, approval.id, channel=posted.channel,
                                                      ts=posted.ts)
            if current is not None and current.status != "pending":
                self._update(slack, current)  # decided while the message was on its way
        except Exception as error:  # a notification never fails the approval
            _log_failure("Slack approval message failed", approval, error)

    def decided(self, approval: Approval) -> None:
        if not approval.slack_ts:
            return  # never posted (no Slack), or not yet: notify() updates it once it knows the ts
        try:
            slack = integrations.connected_slack(approval.tenant_id)
            if slack is not None:
                self._update(slack, approval)
        except Exception as error:  # a notification never fails the decision
            _log_failure("Slack approval update failed", approval, error)

    def _update(self, slack: ConnectedSlack, approval: Approval) -> None:
        self._api.update_message(slack.token, approval.slack_channel or "", approval.slack_ts or "",
                                 decided_message(approval))


def delete_slack_message(approval: Approval, api: SlackApi | None = None) -> bool:
    """DSR erase: remove the approval's message from the tenant's Slack (chat.delete); True once it is gone."""
    if not approval.slack_ts:
        return False
    try:
        slack = integrations.connected_slack(approval.tenant_id)
        if slack is None:
            return False  # disconnected: the message is the workspace's now, out of our reach
        (api or slack_api()).delete_message(slack.token, approval.slack_channel or "", approval.slack_ts)
    except Exception as error:  # the erase goes on; a later erase tries again
        _log_failure("Slack approval message not deleted", approval, error)
        return False
    repository.forget_slack_message(approval.tenant_id, approval.id)
    return True


def _log_failure(what: str, approval: Approval, error: Exception) -> None:
    get_logger().warning(what, extra={"tenant_id": approval.tenant_id, "approval_id": approval.id,
                                      "error": type(error).__name__, "code": getattr(error, "code", None)})


def default_notifier() -> ApprovalNotifier:
    return SlackApprovalNotifier()
