"""The sandbox Slack page (`/_sandbox/slack`): each connected workspace with its channels, mrkdwn rendered, the
buttons gone once an approval is decided (its message is updated in place), and a stale click refused."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import requests

from tests.contract.helpers import sign_up_and_log_in
from tests.contract.slack_helpers import (
    DISCOUNT_ASKERS,
    connect_sandbox_slack,
    held_approvals,
    message_about,
    wait_for,
    workspace_name,
)


@pytest.fixture
def callable_clock(http: requests.Session, base_url: str) -> Iterator[None]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"advance_to_next_window_for": DISCOUNT_ASKERS[0]})
    assert moved.status_code == 200, moved.text
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _message_html(page: str, ts: str) -> str:
    return page.split(f'<div class="message" data-ts="{ts}">', 1)[1].split('<div class="message"', 1)[0]


def test_the_page_renders_mrkdwn_updates_decided_messages_and_refuses_a_stale_click(http, base_url, callable_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    workspace = workspace_name("Page")
    connect_sandbox_slack(http, base_url, owner, workspace)
    [approval] = held_approvals(http, base_url, owner, DISCOUNT_ASKERS[:1])
    ts = wait_for(lambda: message_about(http, base_url, workspace, approval["id"]), what="the message")["ts"]

    page = http.get(f"{base_url}/_sandbox/slack").text
    pending = _message_html(page, ts)
    stale_form = {name: html.unescape(value)
                  for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', pending.split("</form>")[0])}
    decided = http.post(f"{base_url}/api/approvals/{approval['id']}/decide", json={"decision": "approve"},
                        headers=owner.auth)
    wait_for(lambda: message_about(http, base_url, workspace, approval["id"])["edited"], what="the update")
    decided_html = _message_html(http.get(f"{base_url}/_sandbox/slack").text, ts)
    clicked = http.post(f"{base_url}/_sandbox/slack/click", data=stale_form, allow_redirects=False)
    after_click = http.get(f"{base_url}{clicked.headers['Location']}").text

    assert f"<h2>{workspace} " in page and "<h3>#approvals " in page
    assert "<strong>Concession</strong>" in pending and "<em>Why:</em>" in pending
    assert f"<code>{approval['workflow_id']}</code>" in pending and "*Concession*" not in pending
    assert pending.count("<form") == 2 and stale_form["action_id"] == "approval_approve"
    assert decided.status_code == 200
    assert "<form" not in decided_html and "<strong>Approved</strong>" in decided_html and "(edited)" in decided_html
    assert clicked.status_code == 303
    banner = re.search(r'<p class="notice (\w+)"[^>]*>(.*?)</p>', after_click)
    assert banner is not None and banner.group(1) == "refused"
    assert "No such message or button" in banner.group(2)

