"""Slack interactivity over HTTP: unsigned or badly signed posts are refused before anything is read; a
signed click is acknowledged at once and consumed from the slack-actions queue (from a workspace no tenant
connected, it decides nothing). Deciding from a tenant's own Slack: test_slack_tenants.py."""

from __future__ import annotations

import json
import time
import urllib.parse

import requests

from shared.approvals.slack_signature import signature_headers
from tests.contract.helpers import assert_error

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CLICK = urllib.parse.urlencode({"payload": json.dumps({
    "type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T0NOBODY00"},
    "actions": [{"action_id": "approval_approve", "block_id": "approval:1:apr_contract", "value": "apr_contract"}],
})})


def test_an_unsigned_interaction_is_400_signature_missing(base_url: str, http: requests.Session) -> None:
    response = http.post(f"{base_url}/slack/interactivity", data=CLICK, headers=FORM)
    assert_error(response, 400, "SIGNATURE_MISSING")


def test_the_api_alias_refuses_an_unsigned_interaction_too(base_url: str, http: requests.Session) -> None:
    response = http.post(f"{base_url}/api/slack/interactivity", data=CLICK, headers=FORM)
    assert_error(response, 400, "SIGNATURE_MISSING")


def test_a_click_signed_with_another_secret_is_401(base_url: str, http: requests.Session) -> None:
    headers = {**FORM, **signature_headers("not-our-secret", int(time.time()), CLICK.encode())}

    assert_error(http.post(f"{base_url}/slack/interactivity", data=CLICK, headers=headers), 401, "SIGNATURE_INVALID")


def test_a_signed_click_is_acknowledged_at_once_and_consumed_without_a_dead_letter(
        base_url: str, http: requests.Session, slack_signing_secret: str) -> None:
    headers = {**FORM, **signature_headers(slack_signing_secret, int(time.time()), CLICK.encode())}

    response = http.post(f"{base_url}/slack/interactivity", data=CLICK, headers=headers)

    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        counts = http.get(f"{base_url}/_sandbox/queues").json()["slack-actions"]
        if counts["visible"] == counts["in_flight"] == 0:
            break
        time.sleep(0.2)
    assert counts == {"visible": 0, "in_flight": 0, "dead_letters": 0}
