"""Connecting a tenant's sandbox Slack over HTTP, as a person does it: "Add to Slack", Allow on the (sandbox)
Slack page, Slack's redirect back, then the channel; and a campaign whose callee holds for an approval."""

from __future__ import annotations

import html
import re
import time
import uuid
from typing import Any

import pytest
import requests

from tests.contract.helpers import Account

PROMPT = "Renewal reminders for our US customers, every day, offer up to 20% off, auto-approve 10%"
#: Last digit 4: the sandbox callee asks for a discount above the auto-approve limit (an approval is held).
DISCOUNT_ASKERS = ("+14155550304", "+14155550314")


def workspace_name(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:6]}"


def allow_in_sandbox_slack(http: requests.Session, authorize_url: str, workspace: str) -> requests.Response:
    """Open Slack's authorize page and click Allow for `workspace`: Slack's 302 back to CallFunnel."""
    page = http.get(authorize_url)
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    form = {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page.text)}
    base = authorize_url.split("/_sandbox/", 1)[0]
    allowed = http.post(base + action, data={**form, "workspace": workspace, "decision": "allow"},
                        allow_redirects=False)
    assert allowed.status_code == 302, allowed.text
    return allowed


def connect_sandbox_slack(http: requests.Session, base_url: str, owner: Account, workspace: str,
                          channel: str | None = "#approvals") -> dict[str, Any]:
    """Add to Slack in `workspace`, choose `channel`; returns the workspace as the sandbox Slack shows it."""
    started = http.post(f"{base_url}/integrations/slack/install", headers=owner.auth)
    assert started.status_code == 200, started.text
    redirect = allow_in_sandbox_slack(http, started.json()["authorize_url"], workspace).headers["Location"]
    back = http.get(redirect, headers=owner.auth, allow_redirects=False)
    assert back.status_code == 303, back.text
    if channel:
        chosen = http.put(f"{base_url}/integrations/slack", json={"channel": channel}, headers=owner.auth)
        assert chosen.status_code == 200, chosen.text
    return sandbox_workspace(http, base_url, workspace)


def sandbox_workspace(http: requests.Session, base_url: str, name: str) -> dict[str, Any]:
    return next(w for w in http.get(f"{base_url}/_sandbox/slack/workspaces").json() if w["name"] == name)


def channel_of(workspace: dict[str, Any], name: str) -> dict[str, Any]:
    return next(channel for channel in workspace["channels"] if channel["name"] == name)


def held_approvals(http: requests.Session, base_url: str, owner: Account, phones: tuple[str, ...],
                   ) -> list[dict[str, Any]]:
    """Run a campaign to callees who ask for a discount; returns the approvals they hold for."""
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT, "is_test": True},
                         headers=owner.auth).json()
    http.post(f"{base_url}/api/workflows/{workflow['id']}/audience",
              json={"rows": [{"phone": phone} for phone in phones]}, headers=owner.auth)
    http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", headers=owner.auth,
             json={"consent_attestation_text": "Every contact opted in on our web form"})
    assert http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth).status_code == 201
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pending = http.get(f"{base_url}/api/approvals", params={"status": "pending"}, headers=owner.auth).json()
        if len(pending["approvals"]) == len(phones):
            return pending["approvals"]
        time.sleep(0.3)
    pytest.fail("the callees never asked for a discount")


def message_about(http: requests.Session, base_url: str, workspace: str, approval_id: str) -> dict[str, Any] | None:
    """The message about this approval in the workspace's #approvals, as the sandbox Slack holds it now."""
    channel = channel_of(sandbox_workspace(http, base_url, workspace), "approvals")
    return next((message for message in channel["messages"] if approval_id in message["text"]), None)


def wait_for(condition, seconds: float = 30.0, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")
