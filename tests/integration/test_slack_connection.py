"""Each tenant's own Slack on moto: "Add to Slack" (OAuth v2) and its state rules, the bot token sealed under KMS,
the approvals channel, one workspace per tenant, disconnecting (with the token revoked at Slack)."""

from __future__ import annotations

import json
import logging
import urllib.parse
from datetime import timedelta

import pytest

from shared.platform import clock, crypto
from shared.platform.settings import get_settings, reset_settings
from tests.fakes.slack_api import CLIENT_ID, SlackApiFake
from tests.integration.conftest import mint_key, sign_up_and_log_in
from tests.integration.slack_fixtures import connect, finish_install, sandbox_slack, start_install

pytestmark = pytest.mark.integration


@pytest.fixture
def slack(api, monkeypatch):
    with sandbox_slack(monkeypatch) as fake:
        yield fake


def _raw_items() -> list[dict]:
    from shared.platform.aws import client

    return [item for page in client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().table_name)
            for item in page["Items"]]


def _connection(api, account) -> dict:
    reply = api.get("/integrations/slack", token=account.token)
    assert reply.status == 200, reply.body
    return reply.body


def _choose(api, account, channel: str):
    return api.request("PUT", "/integrations/slack", json_body={"channel": channel}, token=account.token)


# --- "Add to Slack" ---


def test_add_to_slack_sends_the_user_to_slacks_authorize_page_for_this_app_with_a_fresh_state(api, slack):
    account = sign_up_and_log_in(api)
    # When the user asks to add Slack, twice
    first, second = start_install(api, account), start_install(api, account)
    # Then each answer is Slack's authorize page for this app, its bot scopes and our callback, with its own state
    url = urllib.parse.urlsplit(first)
    query = dict(urllib.parse.parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}{url.path}" == get_settings().slack_authorize_url
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/integrations/slack/oauth/callback"
    assert set(query["scope"].split(",")) == {"chat:write", "chat:write.public", "channels:read", "groups:read"}
    assert len(query["state"]) >= 40
    assert query["state"] != dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(second).query))["state"]


def test_slacks_redirect_connects_the_workspace_and_sends_the_browser_to_the_console(api, slack):
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme Corp")
    # When Slack redirects the browser back with the code
    reply = finish_install(api, account, code=code, state=state)
    # Then the browser goes to the console's setup page, and the workspace is connected (no channel chosen yet)
    assert reply.status == 303
    assert reply.headers["location"] == "http://testserver/#/setup/slack?slack=connected"
    assert [call.method for call in slack.calls] == ["oauth.v2.access"]
    connection = _connection(api, account)
    assert connection["connected"] is True
    assert connection["team"] == {"id": slack.workspace("Acme Corp").id, "name": "Acme Corp"}
    assert connection["channel"] is None
    assert connection["installed_by"] == account.user_id


def test_the_bot_token_is_sealed_under_kms_and_never_stored_returned_or_logged_in_clear(
        api, slack, caplog, capsys):
    account = sign_up_and_log_in(api)
    logging.getLogger().setLevel(logging.DEBUG)  # even slack_sdk's request/response dumps, were they emitted
    caplog.set_level(logging.DEBUG)
    try:
        connect(api, account, slack, "Acme")
    finally:
        logging.getLogger().setLevel(logging.WARNING)
    token = slack.sandbox.bot_token_of(slack.workspace("Acme").id)  # the token Slack granted
    # Then no stored item, log line or response carries it
    assert token.startswith("xoxb-")
    assert token not in json.dumps(_raw_items(), default=str)
    assert token not in caplog.text
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err
    assert token not in json.dumps(_connection(api, account))
    # And the stored envelope is a KMS one, opened only for this tenant
    [installation] = [item for item in _raw_items() if item["type"]["S"] == "SlackInstallation"]
    assert installation["algorithm"]["S"] == crypto.KMS_ALGORITHM
    assert installation["key_id"]["S"] == get_settings().credentials_kms_key_id
    from shared.integrations import repository

    _, envelope = repository.find_sealed_installation(account.tenant_id)
    assert crypto.decrypt(account.tenant_id, envelope).decode() == token
    crypto.clear_key_cache()
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(account.tenant_id + 1, envelope)


# --- The state: bound to the tenant and the user, single use, expiring ---


def test_a_state_is_spent_by_the_first_callback_and_a_replay_is_400_used(api, slack):
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme")
    assert finish_install(api, account, code=code, state=state).status == 303
    # When the same redirect is replayed
    replay = finish_install(api, account, code=code, state=state)
    # Then it is refused before Slack is asked again
    assert (replay.status, replay.body["code"], replay.body["field"]) == (400, "SLACK_OAUTH_STATE_USED", "state")
    assert len(slack.called("oauth.v2.access")) == 1


def test_an_unknown_state_is_400_invalid_and_no_code_is_exchanged(api, slack):
    account = sign_up_and_log_in(api)
    code, _ = slack.allow(start_install(api, account), "Acme")
    reply = finish_install(api, account, code=code, state="forged-" + "x" * 40)
    assert (reply.status, reply.body["code"]) == (400, "SLACK_OAUTH_STATE_INVALID")
    assert slack.called("oauth.v2.access") == []
    assert _connection(api, account)["connected"] is False


def test_a_state_past_its_deadline_is_400_expired(api, slack):
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme")
    clock.freeze(clock.now() + timedelta(seconds=get_settings().slack_oauth_state_ttl_seconds + 1))
    reply = finish_install(api, account, code=code, state=state)
    assert (reply.status, reply.body["code"]) == (400, "SLACK_OAUTH_STATE_EXPIRED")
    assert slack.called("oauth.v2.access") == []


def test_a_state_works_only_for_the_user_and_tenant_who_started_it(api, slack):
    # Given a state started by A, and B (another workspace) who got hold of the redirect
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, a), "Acme")
    # When B's session follows it, Then it is refused and nothing is connected to B
    refused = finish_install(api, b, code=code, state=state)
    assert (refused.status, refused.body["code"]) == (400, "SLACK_OAUTH_STATE_INVALID")
    assert _connection(api, b)["connected"] is False
    # And A can still finish
    assert finish_install(api, a, code=code, state=state).status == 303


def test_a_newer_add_to_slack_voids_the_older_state(api, slack):
    account = sign_up_and_log_in(api)
    old_code, old_state = slack.allow(start_install(api, account), "Acme")
    start_install(api, account)
    reply = finish_install(api, account, code=old_code, state=old_state)
    assert (reply.status, reply.body["code"]) == (400, "SLACK_OAUTH_STATE_INVALID")


def test_an_api_key_cannot_add_slack(api, slack):
    account = sign_up_and_log_in(api)
    key = mint_key(api, account, scope="admin")["secret"]
    reply = api.post("/integrations/slack/install", token=key)
    assert (reply.status, reply.body["code"]) == (403, "USER_REQUIRED")


def test_a_redirect_without_code_or_error_is_400_and_keeps_the_state(api, slack):
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme")
    reply = finish_install(api, account, state=state)
    assert (reply.status, reply.body["code"], reply.body["field"]) == (400, "SLACK_OAUTH_CODE_MISSING", "code")
    assert finish_install(api, account, code=code, state=state).status == 303


# --- What Slack answers ---


def test_a_code_slack_refuses_is_400_and_spends_the_state(api, slack):
    account = sign_up_and_log_in(api)
    _, state = slack.allow(start_install(api, account), "Acme")
    reply = finish_install(api, account, code="not-a-code-slack-issued", state=state)
    assert (reply.status, reply.body["code"], reply.body["field"]) == (400, "SLACK_OAUTH_CODE_REJECTED", "code")
    assert _connection(api, account)["connected"] is False


def test_slack_refusing_this_apps_credentials_is_503_not_configured(api, slack):
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme")
    slack.refuse("oauth.v2.access", "bad_client_secret")
    reply = finish_install(api, account, code=code, state=state)
    assert (reply.status, reply.body["code"]) == (503, "SLACK_NOT_CONFIGURED")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_slack_down_or_throttling_is_502(api, slack, status):
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme")
    slack.fail_with(status)
    reply = finish_install(api, account, code=code, state=state)
    assert (reply.status, reply.body["code"]) == (502, "SLACK_UNAVAILABLE")


def test_cancelling_in_slack_sends_the_browser_back_to_the_console_and_spends_the_state(api, slack):
    account = sign_up_and_log_in(api)
    _, state = slack.allow(start_install(api, account), "Acme")
    reply = finish_install(api, account, error="access_denied", state=state)
    assert (reply.status, reply.headers["location"]) == (303, "http://testserver/#/setup/slack?slack=cancelled")
    assert finish_install(api, account, error="access_denied", state=state).body["code"] == "SLACK_OAUTH_STATE_USED"


BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_refused_redirect_sends_a_browser_to_the_consoles_slack_page_told_why(api, slack):
    # Given a redirect already used once (a second click, the back button)
    account = sign_up_and_log_in(api)
    code, state = slack.allow(start_install(api, account), "Acme")
    assert finish_install(api, account, code=code, state=state).status == 303
    # When a browser follows it again
    query = urllib.parse.urlencode({"code": code, "state": state})
    again = api.get("/integrations/slack/oauth/callback", query=query, token=account.token, headers=BROWSER)
    # Then it lands on the console's Slack page, told why, instead of a page of JSON
    assert (again.status, again.headers["location"]) == (
        303, "http://testserver/#/setup/slack?slack=failed&code=SLACK_OAUTH_STATE_USED")
    assert _connection(api, account)["team"]["name"] == "Acme"


def test_a_browser_connecting_a_workspace_another_tenant_holds_is_told_so_on_the_consoles_slack_page(api, slack):
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    code, state = slack.allow(start_install(api, b), "Acme")
    query = urllib.parse.urlencode({"code": code, "state": state})
    reply = api.get("/integrations/slack/oauth/callback", query=query, token=b.token, headers=BROWSER)
    assert (reply.status, reply.headers["location"]) == (
        303, "http://testserver/#/setup/slack?slack=failed&code=SLACK_WORKSPACE_IN_USE")
    assert _connection(api, b)["connected"] is False


def test_without_slack_app_credentials_add_to_slack_is_503(api, slack, monkeypatch):
    monkeypatch.delenv("SLACK_CLIENT_ID")
    reset_settings()
    account = sign_up_and_log_in(api)
    reply = api.post("/integrations/slack/install", token=account.token)
    assert (reply.status, reply.body["code"]) == (503, "SLACK_NOT_CONFIGURED")
    assert _connection(api, account) == {"connected": False, "team": None, "channel": None, "installed_by": None,
                                         "installed_at": None}


def test_without_a_key_to_seal_tokens_add_to_slack_is_503_before_slack_is_asked(api, slack, monkeypatch):
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID")
    reset_settings()
    account = sign_up_and_log_in(api)
    reply = api.post("/integrations/slack/install", token=account.token)
    assert (reply.status, reply.body["code"]) == (503, "ENCRYPTION_UNAVAILABLE")


# --- One workspace, one tenant ---


def test_a_workspace_connected_to_one_tenant_cannot_be_connected_to_another(api, slack):
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    code, state = slack.allow(start_install(api, b), "Acme")
    reply = finish_install(api, b, code=code, state=state)
    assert (reply.status, reply.body["code"]) == (409, "SLACK_WORKSPACE_IN_USE")
    assert _connection(api, b)["connected"] is False
    assert _connection(api, a)["team"]["name"] == "Acme"
    assert slack.called("auth.revoke") == []  # the token is A's too: never revoked on B's behalf


def test_moving_to_another_workspace_revokes_the_old_token_and_frees_the_old_workspace(api, slack):
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    connect(api, a, slack, "Acme Labs", channel=None)
    assert _connection(api, a)["team"]["name"] == "Acme Labs"
    assert len(slack.called("auth.revoke")) == 1
    # The old workspace may now join B
    connect(api, b, slack, "Acme")


def test_reinstalling_in_the_same_workspace_keeps_the_chosen_channel(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel="approvals")
    connect(api, account, slack, "Acme", channel=None)
    assert _connection(api, account)["channel"]["name"] == "approvals"
    assert slack.called("auth.revoke") == []


# --- The channel ---


@pytest.mark.parametrize("asked", ["approvals", "#approvals", "#Approvals"])
def test_the_channel_is_chosen_by_name(api, slack, asked):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel=None)
    reply = _choose(api, account, asked)
    assert reply.status == 200, reply.body
    assert reply.body["channel"] == {"id": slack.channel_id("Acme", "approvals"), "name": "approvals"}


def test_the_channel_is_chosen_by_id_and_checked_with_slack(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel=None)
    channel_id = slack.channel_id("Acme", "general")
    reply = _choose(api, account, channel_id)
    assert (reply.status, reply.body["channel"]) == (200, {"id": channel_id, "name": "general"})
    assert slack.called("conversations.info")


@pytest.mark.parametrize("asked", ["#no-such-channel", "C0NOSUCHCHAN"])
def test_a_channel_slack_does_not_know_is_422(api, slack, asked):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel=None)
    reply = _choose(api, account, asked)
    assert (reply.status, reply.body["code"], reply.body["field"]) == (422, "SLACK_CHANNEL_NOT_FOUND", "channel")


@pytest.mark.parametrize("body", [{}, {"channel": ""}, {"channel": "two words"}, {"channel": "x" * 90},
                                  {"channel": 7}])
def test_a_malformed_channel_is_400(api, slack, body):
    account = sign_up_and_log_in(api)
    reply = api.request("PUT", "/integrations/slack", json_body=body, token=account.token)
    assert reply.status == 400 and reply.body["code"] == "VALIDATION_ERROR"


def test_choosing_a_channel_without_slack_is_404(api, slack):
    account = sign_up_and_log_in(api)
    reply = _choose(api, account, "approvals")
    assert (reply.status, reply.body["code"]) == (404, "SLACK_NOT_CONNECTED")


def test_a_token_slack_no_longer_accepts_asks_for_a_reconnect(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme", channel=None)
    slack.refuse("conversations.list", "token_revoked")
    reply = _choose(api, account, "approvals")
    assert (reply.status, reply.body["code"]) == (409, "SLACK_RECONNECT_NEEDED")


# --- Disconnecting ---


def test_disconnecting_forgets_the_workspace_and_revokes_the_token_at_slack(api, slack):
    a, b = sign_up_and_log_in(api), sign_up_and_log_in(api)
    connect(api, a, slack, "Acme")
    token = slack.sandbox.bot_token_of(slack.workspace("Acme").id)
    reply = api.delete("/integrations/slack", token=a.token)
    assert (reply.status, reply.body) == (200, {"deleted": True, "revoked": True})
    assert _connection(api, a)["connected"] is False
    assert [item for item in _raw_items() if item["type"]["S"] in ("SlackInstallation", "SlackTeamLink")] == []
    # Slack refuses the token from now on, and the workspace is free for another tenant
    from infra_local.sandbox_slack_workspaces import SlackError

    with pytest.raises(SlackError, match="token_revoked"):
        slack.sandbox.channels(token, include_archived=True)
    connect(api, b, slack, "Acme")


def test_disconnecting_when_slack_is_down_still_disconnects(api, slack):
    account = sign_up_and_log_in(api)
    connect(api, account, slack, "Acme")
    slack.fail_with(500)
    reply = api.delete("/integrations/slack", token=account.token)
    assert (reply.status, reply.body) == (200, {"deleted": True, "revoked": False})
    assert _connection(api, account)["connected"] is False


def test_disconnecting_needs_the_admin_scope_and_a_connection(api, slack):
    account = sign_up_and_log_in(api)
    write_key = mint_key(api, account, scope="write")["secret"]
    assert api.delete("/integrations/slack", token=write_key).body["code"] == "INSUFFICIENT_SCOPE"
    reply = api.delete("/integrations/slack", token=account.token)
    assert (reply.status, reply.body["code"]) == (404, "SLACK_NOT_CONNECTED")


def test_the_sandbox_is_a_slack_to_the_adapter(slack: SlackApiFake):
    # Sanity of the stand-in the other tests rely on: an unknown method is refused as Slack refuses it
    from shared.providers.slack.port import SlackRefused
    from shared.providers.slack.web_api import slack_api

    with pytest.raises(SlackRefused) as refused:
        slack_api().revoke("xoxb-nobody")
    assert refused.value.slack_error == "invalid_auth"
