"""The laptop's stand-in for Slack behaves as Slack does where CallFunnel relies on it: OAuth codes good once for
their client and redirect URI, one bot token per workspace, revoked tokens refused, the bot editing only its own
messages, Web API refusals as `{"ok": false}`, and a page that never lets message text become markup."""

from __future__ import annotations

import base64
import json

import pytest

from infra_local.sandbox_slack import render_page
from infra_local.sandbox_slack_api import api_response, authorize_response
from infra_local.sandbox_slack_workspaces import SandboxSlack, SlackError

REDIRECT = "http://127.0.0.1:8000/integrations/slack/oauth/callback"


@pytest.fixture
def app(monkeypatch):
    from shared.platform.settings import reset_settings

    monkeypatch.setenv("SLACK_CLIENT_ID", "sandbox.app")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "sandbox-secret")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    reset_settings()


def _installed(slack: SandboxSlack, workspace: str = "Acme") -> str:
    code = slack.authorize(client_id="sandbox.app", redirect_uri=REDIRECT, workspace_name=workspace)
    return slack.exchange(client_id="sandbox.app", code=code, redirect_uri=REDIRECT)["access_token"]


def _call(slack: SandboxSlack, method: str, *, token: str | None = None, body: dict | None = None,
          basic: tuple[str, str] | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if basic:
        headers["authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
    answer = api_response(slack, method, headers, "", json.dumps(body or {}).encode())
    assert answer.status == 200
    return json.loads(answer.body)


def test_a_code_is_good_once_for_its_client_and_redirect_uri():
    slack = SandboxSlack()
    code = slack.authorize(client_id="sandbox.app", redirect_uri=REDIRECT, workspace_name="Acme")
    with pytest.raises(SlackError, match="bad_redirect_uri"):
        slack.exchange(client_id="sandbox.app", code=code, redirect_uri="http://elsewhere/cb")
    with pytest.raises(SlackError, match="invalid_code"):  # spent by the failed attempt, as Slack's are
        slack.exchange(client_id="sandbox.app", code=code, redirect_uri=REDIRECT)


def test_reinstalling_in_a_workspace_gives_back_its_token_and_a_new_name_makes_a_new_workspace():
    slack = SandboxSlack()
    first, again, other = _installed(slack, "Acme"), _installed(slack, "acme"), _installed(slack, "Beta")
    assert first == again != other
    assert sorted(workspace.name for workspace in slack.workspaces()) == ["Acme", "Beta"]


def test_oauth_v2_access_checks_the_apps_secret(app):
    slack = SandboxSlack()
    code = slack.authorize(client_id="sandbox.app", redirect_uri=REDIRECT, workspace_name="Acme")
    refused = _call(slack, "oauth.v2.access", basic=("sandbox.app", "wrong"), body={"code": code,
                                                                                     "redirect_uri": REDIRECT})
    granted = _call(slack, "oauth.v2.access", basic=("sandbox.app", "sandbox-secret"),
                    body={"code": slack.authorize(client_id="sandbox.app", redirect_uri=REDIRECT,
                                                  workspace_name="Acme"), "redirect_uri": REDIRECT})
    assert refused == {"ok": False, "error": "bad_client_secret"}
    assert granted["ok"] and granted["token_type"] == "bot" and granted["team"]["name"] == "Acme"


def test_a_revoked_token_is_refused():
    slack = SandboxSlack()
    token = _installed(slack)
    assert _call(slack, "auth.revoke", token=token) == {"ok": True, "revoked": True}
    assert _call(slack, "conversations.list", token=token) == {"ok": False, "error": "token_revoked"}


def test_the_bot_posts_updates_and_deletes_its_messages_in_its_own_workspace_only():
    slack = SandboxSlack()
    acme, beta = _installed(slack, "Acme"), _installed(slack, "Beta")
    channel = next(c["id"] for c in _call(slack, "conversations.list", token=acme)["channels"]
                   if c["name"] == "approvals")
    posted = _call(slack, "chat.postMessage", token=acme, body={"channel": channel, "text": "hi", "blocks": []})
    assert posted["ok"] and posted["channel"] == channel
    assert _call(slack, "chat.update", token=beta, body={"channel": channel, "ts": posted["ts"], "text": "x"}) == {
        "ok": False, "error": "channel_not_found"}
    assert _call(slack, "chat.update", token=acme, body={"channel": channel, "ts": posted["ts"], "text": "done"})["ok"]
    assert _call(slack, "chat.delete", token=acme, body={"channel": channel, "ts": posted["ts"]})["ok"]
    assert _call(slack, "chat.delete", token=acme, body={"channel": channel, "ts": posted["ts"]}) == {
        "ok": False, "error": "message_not_found"}


def test_the_authorize_page_refuses_an_unknown_app_or_a_foreign_redirect(app):
    slack = SandboxSlack()
    unknown = authorize_response(slack, "GET", f"client_id=other&redirect_uri={REDIRECT}&state=s", b"")
    foreign = authorize_response(slack, "GET", "client_id=sandbox.app&redirect_uri=https://evil.example/cb&state=s",
                                 b"")
    assert (unknown.status, foreign.status) == (400, 400)
    assert slack.workspaces() == []


def test_allow_redirects_back_with_a_code_and_cancel_with_access_denied(app):
    slack = SandboxSlack()
    form = f"client_id=sandbox.app&redirect_uri={REDIRECT}&state=xyz&workspace=Acme"
    allowed = authorize_response(slack, "POST", "", (form + "&decision=allow").encode())
    cancelled = authorize_response(slack, "POST", "", (form + "&decision=deny").encode())
    assert allowed.status == 302 and dict(allowed.headers)["Location"].startswith(f"{REDIRECT}?code=T")
    assert "state=xyz" in dict(allowed.headers)["Location"]
    assert dict(cancelled.headers)["Location"] == f"{REDIRECT}?error=access_denied&state=xyz"


def test_the_page_escapes_message_text_and_says_how_to_connect_when_empty():
    slack = SandboxSlack()
    token = _installed(slack)
    channel = next(c["id"] for c in _call(slack, "conversations.list", token=token)["channels"])
    _call(slack, "chat.postMessage", token=token, body={"channel": channel, "text": "x", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "<script>alert(1)</script> *bold*"}}]})
    page = render_page(slack.workspaces())
    assert "<script>alert(1)" not in page and "<strong>bold</strong>" in page
    assert "POST /integrations/slack/install" in render_page([])
