"""Each tenant's own Slack over HTTP on the local stack: a sandbox tenant connects its own sandbox Slack ("Add to
Slack" through the stand-in for Slack's pages), a held approval's message appears in that tenant's channel, a
click there decides it (and the message changes in place), and a click signed for another team is refused."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from shared.approvals.slack_signature import signature_headers
from tests.contract.helpers import assert_error, sign_up_and_log_in
from tests.contract.slack_helpers import (
    DISCOUNT_ASKERS,
    allow_in_sandbox_slack,
    channel_of,
    connect_sandbox_slack,
    held_approvals,
    message_about,
    sandbox_workspace,
    wait_for,
    workspace_name,
)


def test_a_sandbox_tenant_connects_its_own_sandbox_slack(http: requests.Session, base_url: str) -> None:
    owner = sign_up_and_log_in(http, base_url, country="US")
    workspace = workspace_name("Acme")
    # When the owner clicks Add to Slack and allows it in the (sandbox) Slack page
    started = http.post(f"{base_url}/integrations/slack/install", headers=owner.auth)
    authorize_url = started.json()["authorize_url"]
    redirect = allow_in_sandbox_slack(http, authorize_url, workspace).headers["Location"]
    back = http.get(redirect, headers=owner.auth, allow_redirects=False)
    # Then Slack sent the browser back to our callback, which stored the workspace and sent it on to the console
    assert authorize_url.startswith(f"{base_url}/_sandbox/slack/oauth/v2/authorize?")
    assert redirect.startswith(f"{base_url}/integrations/slack/oauth/callback?")
    assert (back.status_code, back.headers["Location"]) == (303, f"{base_url}/#/setup/slack?slack=connected")
    # And choosing a channel of that workspace works
    chosen = http.put(f"{base_url}/integrations/slack", json={"channel": "#approvals"}, headers=owner.auth)
    team = sandbox_workspace(http, base_url, workspace)
    assert chosen.status_code == 200, chosen.text
    assert http.get(f"{base_url}/integrations/slack", headers=owner.auth).json() | {"installed_at": None} == {
        "connected": True, "team": {"id": team["id"], "name": workspace},
        "channel": {"id": channel_of(team, "approvals")["id"], "name": "approvals"},
        "installed_by": owner.user_id, "installed_at": None}


def test_a_replayed_slack_redirect_is_400(http: requests.Session, base_url: str) -> None:
    owner = sign_up_and_log_in(http, base_url, country="US")
    started = http.post(f"{base_url}/integrations/slack/install", headers=owner.auth).json()
    redirect = allow_in_sandbox_slack(http, started["authorize_url"], workspace_name("Replay")).headers["Location"]
    assert http.get(redirect, headers=owner.auth, allow_redirects=False).status_code == 303
    assert_error(http.get(redirect, headers=owner.auth, allow_redirects=False), 400, "SLACK_OAUTH_STATE_USED")


def test_disconnecting_revokes_the_token_and_a_new_approval_finds_no_slack(http: requests.Session,
                                                                           base_url: str) -> None:
    owner = sign_up_and_log_in(http, base_url, country="US")
    connect_sandbox_slack(http, base_url, owner, workspace_name("Bye"))
    gone = http.delete(f"{base_url}/integrations/slack", headers=owner.auth)
    assert (gone.status_code, gone.json()) == (200, {"deleted": True, "revoked": True})
    assert http.get(f"{base_url}/integrations/slack", headers=owner.auth).json()["connected"] is False


# --- A campaign's held approvals, in the tenant's own Slack ---


@pytest.fixture(scope="module")
def held(http: requests.Session, base_url: str) -> Iterator[dict[str, Any]]:
    """Tenant A (Slack "Acme…", #approvals) with two callees holding for a discount; tenant B (Slack "Beta…")."""
    moved = http.post(f"{base_url}/_sandbox/clock", json={"advance_to_next_window_for": DISCOUNT_ASKERS[0]})
    assert moved.status_code == 200, moved.text
    a, b = sign_up_and_log_in(http, base_url, country="US"), sign_up_and_log_in(http, base_url, country="US")
    acme, beta = workspace_name("Acme"), workspace_name("Beta")
    team_a = connect_sandbox_slack(http, base_url, a, acme)
    team_b = connect_sandbox_slack(http, base_url, b, beta)
    approvals = held_approvals(http, base_url, a, DISCOUNT_ASKERS)
    yield {"owner": a, "acme": acme, "beta": beta, "team_a": team_a, "team_b": team_b, "approvals": approvals}
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def test_a_held_approvals_message_appears_in_that_tenants_channel_only(http, base_url, held) -> None:
    for approval in held["approvals"]:
        message = wait_for(lambda approval=approval: message_about(http, base_url, held["acme"], approval["id"]),
                           what="the approval's message in the tenant's #approvals")
        buttons = [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]
        assert [(button["action_id"], button["value"]) for button in buttons] == [
            ("approval_approve", approval["id"]), ("approval_deny", approval["id"])]
        assert approval["target_phone"] not in json.dumps(message)  # masked
    beta = sandbox_workspace(http, base_url, held["beta"])
    assert all(channel["messages"] == [] for channel in beta["channels"])


def test_a_click_signed_for_another_team_is_refused(http, base_url, held, slack_signing_secret: str) -> None:
    # Given the message about A's first approval, and a click on its Approve signed by Slack for B's workspace
    approval = held["approvals"][0]
    message = wait_for(lambda: message_about(http, base_url, held["acme"], approval["id"]), what="the message")
    channel_id = channel_of(held["team_a"], "approvals")["id"]
    approve = next(e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]
                   if e["action_id"] == "approval_approve")
    block_id = next(block["block_id"] for block in message["blocks"] if block["type"] == "actions")
    payload = {"type": "block_actions", "team": {"id": held["team_b"]["id"]},
               "user": {"id": "U0INTRUDER", "team_id": held["team_b"]["id"]},
               "response_url": f"{base_url}/_sandbox/slack/respond/{held['team_a']['id']}/{channel_id}/{message['ts']}",
               "actions": [{"type": "button", "action_id": "approval_approve", "block_id": block_id,
                            "value": approve["value"]}]}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    stack_now = datetime.fromisoformat(http.get(f"{base_url}/_sandbox/clock").json()["now"])  # the moved clock
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               **signature_headers(slack_signing_secret, int(stack_now.timestamp()), body)}
    # When Slack delivers it: Then it is acknowledged, the clicker is told it decided nothing, and it did not
    assert http.post(f"{base_url}/slack/interactivity", data=body, headers=headers).status_code == 200
    replied = wait_for(lambda: message_about(http, base_url, held["acme"], approval["id"])["replies"],
                       what="the reply to the refused click")
    assert "not connected to this Slack workspace" in replied[0]["text"]
    assert replied[0]["response_type"] == "ephemeral"
    listed = http.get(f"{base_url}/api/approvals", headers=held["owner"].auth).json()["approvals"]
    assert next(a for a in listed if a["id"] == approval["id"])["status"] == "pending"


def test_a_click_in_the_tenants_slack_decides_it_and_the_message_changes_in_place(http, base_url, held) -> None:
    approval = held["approvals"][1]
    message = wait_for(lambda: message_about(http, base_url, held["acme"], approval["id"]), what="the message")
    channel_id = channel_of(held["team_a"], "approvals")["id"]
    # When the person clicks Approve on the sandbox Slack page
    clicked = http.post(f"{base_url}/_sandbox/slack/click", allow_redirects=False, data={
        "team_id": held["team_a"]["id"], "channel_id": channel_id, "ts": message["ts"],
        "action_id": "approval_approve"})
    assert clicked.status_code == 303 and "outcome=accepted" in clicked.headers["Location"]
    # Then the approval is approved from Slack, and its message (same ts) shows it instead of the buttons
    decided = wait_for(lambda: next((a for a in http.get(f"{base_url}/api/approvals", headers=held["owner"].auth)
                                     .json()["approvals"] if a["id"] == approval["id"] and a["status"] != "pending"),
                                    None), what="the decision")
    assert decided["status"] == "approved" and decided["decided_by"].startswith("slack:")
    updated = wait_for(lambda: (m := message_about(http, base_url, held["acme"], approval["id"]))
                       and m["edited"] and m, what="the message updated in place")
    assert updated["ts"] == message["ts"]
    assert not [block for block in updated["blocks"] if block["type"] == "actions"]
    assert "*Approved*" in json.dumps(updated["blocks"])
