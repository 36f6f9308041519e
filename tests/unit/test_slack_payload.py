"""Reading a Slack `block_actions` form body into a queued click, or ignoring what is not a decision."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from shared.approvals.slack_interactivity import SlackAction, parse_payload
from shared.platform.errors import BadRequest


def form(payload: Any) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def click(action_id: str = "approval_approve", *, tenant_id: int = 42, approval_id: str = "apr_1",
          value: str | None = None, kind: str = "block_actions", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "user": {"id": "U123", "team_id": "T0ACME"}, "team": {"id": "T0ACME", "domain": "acme"},
            "response_url": "https://hooks.slack.com/actions/T/1/x",
            "actions": [{"action_id": action_id, "block_id": f"approval:{tenant_id}:{approval_id}",
                         "value": approval_id if value is None else value, "type": "button"}], **extra}


def test_an_approve_click_becomes_an_approve_decision_for_the_blocks_tenant_from_the_clickers_workspace() -> None:
    assert parse_payload(form(click())) == SlackAction(
        tenant_id=42, approval_id="apr_1", decision="approve", slack_user="U123", team_id="T0ACME",
        response_url="https://hooks.slack.com/actions/T/1/x")


def test_without_a_team_the_users_workspace_is_the_clicks() -> None:
    payload = {**click(), "team": None}
    assert parse_payload(form(payload)).team_id == "T0ACME"


def test_a_deny_click_becomes_a_deny_decision() -> None:
    assert parse_payload(form(click("approval_deny"))).decision == "deny"


def test_a_transfer_click_becomes_a_transfer_decision() -> None:
    assert parse_payload(form(click("approval_transfer"))).decision == "transfer"


@pytest.mark.parametrize("payload", [
    click(kind="view_submission"),
    click("some_other_button"),
    click(value="apr_other"),  # the button's value and the block's id disagree
    {**click(), "actions": [{**click()["actions"][0], "block_id": "other:42:apr_1"}]},
    {**click(), "actions": [{**click()["actions"][0], "block_id": "approval:x:apr_1"}]},
    {**click(), "actions": []},
    {**click(), "user": {}},
    {**click(), "team": None, "user": {"id": "U123"}},  # no workspace: nothing to map to a tenant
    ["not", "an", "object"],
])
def test_payloads_that_are_not_an_approval_decision_are_ignored(payload: Any) -> None:
    assert parse_payload(form(payload)) is None


@pytest.mark.parametrize("body", [b"", b"token=abc", b"payload=%7Bnot+json", b"\xff\xfe"])
def test_a_body_without_a_json_payload_is_400_malformed(body: bytes) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_payload(body)
    assert refused.value.code == "MALFORMED_PAYLOAD"


def test_the_follow_up_reply_goes_only_to_slacks_own_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given clicks whose response_url points at Slack, elsewhere, or nowhere
    from shared.approvals import slack_clicks

    posted: list[str] = []
    monkeypatch.setattr(slack_clicks, "post_to_slack", lambda url, message: posted.append(url))
    for url in ("https://hooks.slack.com/actions/T/1/x", "http://169.254.169.254/latest", None):
        action = SlackAction(tenant_id=1, approval_id="apr_1", decision="approve", slack_user="U1", response_url=url)
        slack_clicks._respond(action, "done")
    # Then only Slack's host was contacted
    assert posted == ["https://hooks.slack.com/actions/T/1/x"]
