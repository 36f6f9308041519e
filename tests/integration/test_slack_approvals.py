"""Approvals in the tenant's own Slack, on moto: posted to the chosen channel with Approve / Deny, updated in place
(chat.update) when decided from the API or from Slack, deleted by a DSR erase; tenants without Slack decide
through the API and nothing is sent."""

from __future__ import annotations

import json
import urllib.parse
import uuid

import pytest

from functions.slack_actions.handler import lambda_handler as consume
from shared.approvals import repository, service
from shared.approvals.notifier import APPROVE_ACTION_ID, DENY_ACTION_ID
from shared.approvals.slack_clicks import handle_message
from shared.approvals.slack_interactivity import SlackAction
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.slack_fixtures import connect, sandbox_slack

pytestmark = pytest.mark.integration

PHONE = "+919876543210"


@pytest.fixture
def slack(api, monkeypatch):
    with sandbox_slack(monkeypatch) as fake:
        yield fake


def _request(tenant_id: int):
    return service.request_approval(tenant_id, workflow_id="wf_1", run_id="run_1", target_phone=PHONE,
                                    proposed_action="concession", proposed_value_minor=50_000, currency="INR",
                                    rationale="Loyal customer for 3 years", context={}, ttl_seconds=300)


def _actions(message) -> list[dict]:
    return [element for block in message.blocks if block["type"] == "actions" for element in block["elements"]]


def _text(message) -> str:
    return json.dumps(message.blocks)


def test_a_held_approval_is_posted_to_the_tenants_channel_with_approve_and_deny(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel="approvals")
    # When the AI asks for a concession
    approval = _request(account.tenant_id)
    # Then the message is in #approvals of the tenant's workspace, with buttons for this approval, the callee masked
    [message] = slack.messages("Acme", "approvals")
    assert [(button["action_id"], button["value"]) for button in _actions(message)] == [
        (APPROVE_ACTION_ID, approval.id), (DENY_ACTION_ID, approval.id)]
    assert "3210" in _text(message) and PHONE not in _text(message)
    # And the approval knows where its message is
    stored = repository.find(account.tenant_id, approval.id)
    assert (stored.slack_channel, stored.slack_ts) == (slack.channel_id("Acme", "approvals"), message.ts)
    # (but the API does not show it)
    listed = api.get("/approvals", token=account.token).body["approvals"][0]
    assert "slack_ts" not in listed and "slack_channel" not in listed


def test_a_tenant_without_slack_gets_nothing_sent_and_decides_through_the_api(api, slack):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=account.token)
    assert (reply.status, reply.body["status"]) == (200, "approved")
    assert slack.calls == []


def test_a_tenant_connected_without_a_channel_gets_nothing_sent(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel=None)
    _request(account.tenant_id)
    assert slack.called("chat.postMessage") == []


def test_each_tenants_approvals_go_to_its_own_workspace_only(api, slack):
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    connect(api, b, slack, "Beta", channel="general")
    approval_a, approval_b = _request(a.tenant_id), _request(b.tenant_id)
    assert [_actions(m)[0]["value"] for m in slack.messages("Acme", "approvals")] == [approval_a.id]
    assert [_actions(m)[0]["value"] for m in slack.messages("Beta", "general")] == [approval_b.id]
    assert slack.messages("Beta", "approvals") == []


def test_deciding_through_the_api_updates_the_slack_message_in_place(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme")
    approval = _request(account.tenant_id)
    # When someone approves in the API
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve", "note": "good customer"},
                     token=account.token)
    assert reply.status == 200, reply.body
    # Then the same message (same ts) lost its buttons and says who approved
    [message] = slack.messages("Acme", "approvals")
    assert len(slack.called("chat.update")) == 1
    assert message.edited_at is not None and _actions(message) == []
    assert "*Approved*" in _text(message) and account.user_id in _text(message) and "good customer" in _text(message)


def test_deciding_from_slack_updates_the_message_in_place(api, slack):
    account = sign_up_and_log_in(api)
    team = connect(api, account, slack, "Acme")
    approval = _request(account.tenant_id)
    # When the consumer applies a Deny clicked in the tenant's workspace
    outcome = handle_message(SlackAction(tenant_id=account.tenant_id, approval_id=approval.id, decision="deny",
                                         slack_user="U0CLICKER", team_id=team).model_dump_json())
    # Then it is decided, and the message shows it in place of the buttons
    assert outcome == "decided"
    [message] = slack.messages("Acme", "approvals")
    assert _actions(message) == [] and "*Denied*" in _text(message) and "<@U0CLICKER>" in _text(message)


def test_a_click_from_another_tenants_workspace_changes_neither_the_approval_nor_its_message(api, slack):
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    team_b = connect(api, b, slack, "Beta")
    approval = _request(a.tenant_id)
    outcome = handle_message(SlackAction(tenant_id=a.tenant_id, approval_id=approval.id, decision="approve",
                                         slack_user="U0INTRUDER", team_id=team_b).model_dump_json())
    assert outcome == "wrong_workspace"
    assert service.get_decision(a.tenant_id, approval.id).status == "pending"
    assert slack.called("chat.update") == []
    assert len(_actions(slack.messages("Acme", "approvals")[0])) == 2


def test_slack_failing_fails_neither_the_approval_nor_the_decision(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme")
    slack.fail_with(500)
    approval = _request(account.tenant_id)  # no exception
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "deny"}, token=account.token)
    assert (reply.status, reply.body["status"]) == (200, "denied")


def test_a_disconnected_workspace_gets_no_more_messages(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme")
    assert api.delete("/integrations/slack", token=account.token).status == 200
    _request(account.tenant_id)
    assert slack.messages("Acme", "approvals") == []


def test_a_dsr_erase_deletes_the_contacts_approval_messages_from_slack(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme")
    approval = _request(account.tenant_id)
    assert len(slack.messages("Acme", "approvals")) == 1
    reply = api.post("/dsr/erase", {"contact_identifier": PHONE}, token=account.token)
    assert reply.status == 200, reply.body
    assert reply.body["deleted"]["slack_messages"] == 1
    assert slack.messages("Acme", "approvals") == []
    assert repository.find(account.tenant_id, approval.id).slack_ts is None
    # A second erase has nothing left to delete
    assert api.post("/dsr/erase", {"contact_identifier": PHONE}, token=account.token).body["deleted"][
        "slack_messages"] == 0


def test_the_queued_click_of_the_sandbox_shape_is_decided_by_the_consumer(api, slack, monkeypatch):
    # The slack-actions Lambda end to end on one record (as SQS delivers it)
    account = sign_up_and_log_in(api)
    team = connect(api, account, slack, "Acme")
    approval = _request(account.tenant_id)
    body = SlackAction(tenant_id=account.tenant_id, approval_id=approval.id, decision="approve", slack_user="U1",
                       team_id=team, response_url=f"{slack.base_url}/respond/{team}/"
                       f"{slack.channel_id('Acme', 'approvals')}/{slack.messages('Acme', 'approvals')[0].ts}")
    record = {"messageId": uuid.uuid4().hex, "receiptHandle": "r", "body": body.model_dump_json(),
              "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
              "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
              "awsRegion": "us-east-1"}
    assert consume({"Records": [record]}, None) == {"batchItemFailures": []}
    [message] = slack.messages("Acme", "approvals")
    assert service.get_decision(account.tenant_id, approval.id).status == "approved"
    assert [reply["response_type"] for reply in message.replies] == ["ephemeral"]
    assert urllib.parse.urlsplit(body.response_url).path.startswith("/respond/")
