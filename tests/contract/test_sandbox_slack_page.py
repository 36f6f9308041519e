"""The sandbox Slack page (`/_sandbox/slack`): mrkdwn rendered, buttons only while an approval is pending, and a
click on an approval that was decided meanwhile shown as refused."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests

from tests.contract.helpers import Account, sign_up_and_log_in

PROMPT = "Renewal reminders for our US customers, every day, offer up to 20% off, auto-approve 10%"
DISCOUNT_ASKER = "+14155550304"  # last digit 4: asks for a discount above the auto-approve limit


@pytest.fixture
def callable_clock(http: requests.Session, base_url: str) -> Iterator[None]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"advance_to_next_window_for": DISCOUNT_ASKER})
    assert moved.status_code == 200, moved.text
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _pending_approval(http: requests.Session, base_url: str, owner: Account) -> dict:
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT, "is_test": True},
                         headers=owner.auth).json()
    http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", json={"rows": [{"phone": DISCOUNT_ASKER}]},
              headers=owner.auth)
    http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", headers=owner.auth,
             json={"consent_attestation_text": "Every contact opted in on our web form"})
    assert http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth).status_code == 201
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pending = http.get(f"{base_url}/api/approvals", params={"status": "pending"}, headers=owner.auth).json()
        if pending["approvals"]:
            return pending["approvals"][0]
        time.sleep(0.3)
    pytest.fail("the callee never asked for a discount")


def _row(page: str, approval_id: str) -> str:
    return next(part.split("</tr>")[0] for part in page.split("<tr>") if approval_id in part)


def test_the_page_renders_mrkdwn_hides_decided_buttons_and_shows_a_refused_click(http, base_url, callable_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    approval = _pending_approval(http, base_url, owner)

    pending_row = _row(http.get(f"{base_url}/_sandbox/slack").text, approval["id"])
    stale_form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', pending_row.split("</form>")[0]))
    decided = http.post(f"{base_url}/api/approvals/{approval['id']}/decide", json={"decision": "approve"},
                        headers=owner.auth)
    decided_row = _row(http.get(f"{base_url}/_sandbox/slack").text, approval["id"])
    clicked = http.post(f"{base_url}/_sandbox/slack/click", data=stale_form, allow_redirects=False)
    after_click = http.get(f"{base_url}{clicked.headers['Location']}").text

    assert "<strong>Concession</strong>" in pending_row and "<em>Why:</em>" in pending_row
    assert f"<code>{approval['workflow_id']}</code>" in pending_row and "*Concession*" not in pending_row
    assert pending_row.count("<form") == 2 and stale_form["action_id"] == "approval_approve"
    assert decided.status_code == 200
    assert "<form" not in decided_row and 'class="status approved"' in decided_row
    assert clicked.status_code == 303
    banner = re.search(r'<p class="notice (\w+)"[^>]*>(.*?)</p>', after_click)
    assert banner is not None and banner.group(1) == "refused"
    assert f"Refused: {approval['id']} was already approved (409 APPROVAL_ALREADY_DECIDED)" in banner.group(2)
