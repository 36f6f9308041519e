"""Slack Approve / Deny on moto: the signed click is queued at once; the consumer maps the click's workspace to
its tenant, refuses a click from any other workspace, and decides once, per tenant."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from functions.slack_actions.handler import lambda_handler as consume
from shared.approvals import service, slack_clicks
from shared.approvals.slack_signature import signature_headers
from shared.platform import clock
from shared.platform.settings import reset_settings
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.slack_fixtures import connect, sandbox_slack

SECRET = "slack_signing_secret_integration"
PATH = "/slack/interactivity"
FORM = {"content-type": "application/x-www-form-urlencoded"}
RESPONSE_URL = "https://hooks.slack.com/actions/T1/1/abc"
NOBODYS_WORKSPACE = "T0NOBODY00"


@pytest.fixture
def slack(api, monkeypatch: pytest.MonkeyPatch):
    with sandbox_slack(monkeypatch) as fake:
        # Follow-up replies are caught by `slack_replies`; they would go to Slack's own host
        monkeypatch.setenv("SLACK_RESPONSE_URL_PREFIX", "https://hooks.slack.com/")
        reset_settings()
        yield fake


@pytest.fixture
def queue_url(api, slack, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from shared.platform.aws import client

    sqs = client("sqs")
    url = sqs.create_queue(QueueName=f"slack-actions-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setenv("SLACK_ACTIONS_QUEUE_URL", url)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    reset_settings()
    yield url
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def slack_replies(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """What the consumer would have posted back to Slack's response_url (nothing leaves the process)."""
    posted: list[tuple[str, dict]] = []
    monkeypatch.setattr(slack_clicks, "post_to_slack", lambda url, message: posted.append((url, message)))
    return posted


def _approval(tenant_id: int):
    return service.request_approval(tenant_id, workflow_id="wf_1", run_id="run_1", target_phone="+919876543210",
                                    proposed_action="concession", proposed_value_minor=50_000, currency="INR",
                                    rationale="Loyal customer", context={}, ttl_seconds=300)


def _form(payload: Any) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def _click(tenant_id: int, approval_id: str, action_id: str = "approval_approve", user: str = "U1",
           team: str = NOBODYS_WORKSPACE) -> bytes:
    return _form({"type": "block_actions", "user": {"id": user, "team_id": team}, "team": {"id": team},
                  "response_url": RESPONSE_URL,
                  "actions": [{"action_id": action_id, "block_id": f"approval:{tenant_id}:{approval_id}",
                               "value": approval_id, "type": "button"}]})


def _post(api, body: bytes, secret: str = SECRET, timestamp: int | None = None):
    stamp = clock.epoch_seconds() if timestamp is None else timestamp
    return api.request("POST", PATH, raw_body=body, headers={**FORM, **signature_headers(secret, stamp, body)})


def _queued(url: str) -> list[dict]:
    from shared.platform.aws import client

    messages = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(message["Body"]) for message in messages.get("Messages", [])]


def _drain(url: str) -> list[dict]:
    """Feed everything queued to the consumer as SQS would; returns its batch responses."""
    from shared.platform.aws import client

    sqs, results = client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
                    "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                    "awsRegion": "us-east-1"} for m in messages]
        results.append(consume({"Records": records}, None))
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return results


def test_a_signed_click_is_answered_200_and_queued_with_the_blocks_tenant_and_its_workspace(
        api, queue_url: str) -> None:
    account = sign_up_and_log_in(api)
    approval = _approval(account.tenant_id)
    reply = _post(api, _click(account.tenant_id, approval.id, team="T0ACME"))
    assert (reply.status, reply.body) == (200, {"ok": True})
    assert _queued(queue_url) == [{"tenant_id": account.tenant_id, "approval_id": approval.id,
                                   "decision": "approve", "slack_user": "U1", "team_id": "T0ACME",
                                   "response_url": RESPONSE_URL}]
    # and nothing is decided yet: the consumer does that
    assert service.get_decision(account.tenant_id, approval.id).status == "pending"


def test_the_consumer_decides_the_click_and_records_the_slack_user(api, slack, queue_url, slack_replies) -> None:
    account = sign_up_and_log_in(api)
    team = connect(api, account, slack, "Acme")
    approval = _approval(account.tenant_id)
    _post(api, _click(account.tenant_id, approval.id, "approval_deny", user="U777", team=team))
    assert _drain(queue_url) == [{"batchItemFailures": []}]
    decided = service.get_decision(account.tenant_id, approval.id)
    assert (decided.status, decided.decided_by) == ("denied", "slack:U777")
    assert [url for url, _ in slack_replies] == [RESPONSE_URL]


def test_a_later_click_is_acknowledged_without_changing_the_first_decision(api, slack, queue_url,
                                                                            slack_replies) -> None:
    # Given an approval approved from Slack by U1
    account = sign_up_and_log_in(api)
    team = connect(api, account, slack, "Acme")
    approval = _approval(account.tenant_id)
    _post(api, _click(account.tenant_id, approval.id, "approval_approve", user="U1", team=team))
    _drain(queue_url)
    # When U2 clicks Deny afterwards
    assert _post(api, _click(account.tenant_id, approval.id, "approval_deny", user="U2", team=team)).status == 200
    # Then the record is acknowledged (no retry) and the first decision stands; U2 is told why
    assert _drain(queue_url) == [{"batchItemFailures": []}]
    decided = service.get_decision(account.tenant_id, approval.id)
    assert (decided.status, decided.decided_by) == ("approved", "slack:U1")
    assert "already approved" in slack_replies[-1][1]["text"]


def test_a_click_naming_another_tenant_does_not_decide_that_tenants_approval(api, slack, queue_url,
                                                                             slack_replies) -> None:
    # Given an approval of workspace B, and a click from A's Slack whose block claims workspace A
    workspace_a, workspace_b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    team_a = connect(api, workspace_a, slack, "Acme")
    approval = _approval(workspace_b.tenant_id)
    _post(api, _click(workspace_a.tenant_id, approval.id, team=team_a))
    # When the consumer runs; Then it is acknowledged and B's approval is still pending
    assert _drain(queue_url) == [{"batchItemFailures": []}]
    assert service.get_decision(workspace_b.tenant_id, approval.id).status == "pending"


def test_a_click_from_a_workspace_that_is_not_the_approvals_tenants_is_refused_and_the_clicker_told(
        api, slack, queue_url, slack_replies) -> None:
    # Given A (Slack "Acme") and B (Slack "Beta"), and an approval of A
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    team_b = connect(api, b, slack, "Beta")
    approval = _approval(a.tenant_id)
    # When someone in B's Slack sends a signed click naming A's approval, and someone in a workspace no tenant
    # connected does the same
    for team in (team_b, NOBODYS_WORKSPACE):
        assert _post(api, _click(a.tenant_id, approval.id, team=team)).status == 200
    # Then both are acknowledged (no retry), nothing is decided, and each clicker is told why
    assert _drain(queue_url) == [{"batchItemFailures": []}]
    assert service.get_decision(a.tenant_id, approval.id).status == "pending"
    assert [message["text"] for _, message in slack_replies] == [slack_clicks.WRONG_WORKSPACE_REPLY] * 2
    assert all(message["response_type"] == "ephemeral" for _, message in slack_replies)


def test_a_payload_that_is_not_a_block_action_is_200_and_not_queued(api, queue_url: str) -> None:
    reply = _post(api, _form({"type": "view_submission", "user": {"id": "U1"}}))
    assert reply.status == 200
    assert _queued(queue_url) == []


def test_an_unsigned_click_is_400_and_not_queued(api, queue_url: str) -> None:
    reply = api.request("POST", PATH, raw_body=_click(1, "apr_1"), headers=FORM)
    assert (reply.status, reply.body["code"]) == (400, "SIGNATURE_MISSING")
    assert _queued(queue_url) == []


def test_a_click_signed_with_another_secret_is_401_and_not_queued(api, queue_url: str) -> None:
    reply = _post(api, _click(1, "apr_1"), secret="someone_elses_secret")
    assert (reply.status, reply.body["code"]) == (401, "SIGNATURE_INVALID")
    assert _queued(queue_url) == []


def test_a_replayed_click_older_than_five_minutes_is_401_expired(api, queue_url: str) -> None:
    reply = _post(api, _click(1, "apr_1"), timestamp=clock.epoch_seconds() - 301)
    assert (reply.status, reply.body["code"]) == (401, "SIGNATURE_EXPIRED")
    assert _queued(queue_url) == []


def test_without_a_signing_secret_a_signed_click_is_503(api, queue_url, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    reset_settings()
    reply = _post(api, _click(1, "apr_1"))
    assert (reply.status, reply.body["code"]) == (503, "SLACK_NOT_CONFIGURED")
    assert _queued(queue_url) == []
