"""The "a human should decide" messages: Block Kit before and after a decision, the Slack Web API adapter against
a local Slack (errors as the port's), and the notifier never failing an approval."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from shared.approvals import notifier
from shared.approvals.models import Approval
from shared.integrations.models import ConnectedSlack
from shared.providers.slack.port import PostedMessage, SlackRefused, SlackUnreachable
from shared.providers.slack.web_api import SlackWebApi
from tests.fakes.local_server import LocalHttpFake, QuietHandler
from tests.fakes.slack_api import SlackApiFake

CREATED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def _approval(**changes) -> Approval:
    return Approval(id="apr_42", tenant_id=7, workflow_id="wf_1", run_id="run_1", target_phone="+919876543210",
                    proposed_action="concession", proposed_value_minor=50_000, currency="INR",
                    rationale="Customer has paid on time for 3 years", context={}, status="pending",
                    created_at=CREATED, expires_at=CREATED + timedelta(minutes=5)).model_copy(update=changes)


def _buttons(message: dict) -> list[dict]:
    return [element for block in message["blocks"] if block["type"] == "actions" for element in block["elements"]]


# --- The messages ---


def test_the_message_has_approve_and_deny_buttons_carrying_the_approval_id():
    buttons = _buttons(notifier.slack_message(_approval()))
    assert [(b["action_id"], b["text"]["text"], b["value"]) for b in buttons] == [
        ("approval_approve", "Approve", "apr_42"), ("approval_deny", "Deny", "apr_42")]


def test_the_message_is_valid_block_kit_with_a_fallback_text():
    message = notifier.slack_message(_approval())
    assert "apr_42" in message["text"]
    assert {block["type"] for block in message["blocks"]} <= {"section", "context", "actions"}
    for block in message["blocks"]:
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn" and block["text"]["text"]


def test_the_message_masks_the_callee_and_says_what_and_why():
    rendered = json.dumps(notifier.slack_message(_approval()))
    assert "+919876543210" not in rendered and "3210" in rendered
    assert "Concession" in rendered and "50000 INR" in rendered and "paid on time" in rendered


@pytest.mark.parametrize(("status", "decided_by", "shown"), [
    ("approved", "slack:U123", ":white_check_mark: *Approved* by <@U123>"),
    ("denied", "usr_9", ":no_entry: *Denied* by `usr_9` in CallFunnel"),
    ("approved", "api_key:key_1", "*Approved* by API key `key_1`"),
])
def test_the_decided_message_has_no_buttons_and_says_who_decided(status, decided_by, shown):
    decided = _approval(status=status, decided_by=decided_by, decided_at=CREATED + timedelta(minutes=1))
    message = notifier.decided_message(decided)
    assert _buttons(message) == []
    assert shown in json.dumps(message) and "2026-05-01T10:01:00Z" in json.dumps(message)
    assert "+919876543210" not in json.dumps(message)


# --- The notifier: best-effort, and only where the tenant connected Slack ---


class RecordingSlack:
    def __init__(self, fail: Exception | None = None) -> None:
        self.posted: list[tuple[str, dict]] = []
        self.updated: list[tuple[str, str, dict]] = []
        self.fail = fail

    def post_message(self, token, channel, message):
        if self.fail:
            raise self.fail
        self.posted.append((channel, message))
        return PostedMessage(channel=channel, ts="1700000000.000100")

    def update_message(self, token, channel, ts, message):
        if self.fail:
            raise self.fail
        self.updated.append((channel, ts, message))


@pytest.fixture
def connected(monkeypatch):
    """The tenant's Slack as the integrations service hands it over (no table in unit tests)."""
    found = {"slack": ConnectedSlack(tenant_id=7, team_id="T1", channel_id="C1", token="xoxb-unit")}
    monkeypatch.setattr(notifier.integrations, "connected_slack", lambda tenant_id: found["slack"])
    stored: dict[str, Approval] = {}

    def record(tenant_id, approval_id, *, channel, ts):
        stored[approval_id] = stored.get(approval_id, _approval()).model_copy(
            update={"slack_channel": channel, "slack_ts": ts})
        return stored[approval_id]

    monkeypatch.setattr(notifier.repository, "record_slack_message", record)
    return found, stored


def test_a_pending_approval_is_posted_to_the_chosen_channel(connected):
    slack = RecordingSlack()
    notifier.SlackApprovalNotifier(slack).notify(_approval())
    assert slack.posted == [("C1", notifier.slack_message(_approval()))]
    assert connected[1]["apr_42"].slack_ts == "1700000000.000100"


def test_no_slack_or_no_channel_sends_nothing(connected):
    found, _ = connected
    slack = RecordingSlack()
    found["slack"] = None
    notifier.SlackApprovalNotifier(slack).notify(_approval())
    found["slack"] = ConnectedSlack(tenant_id=7, team_id="T1", channel_id=None, token="xoxb-unit")
    notifier.SlackApprovalNotifier(slack).notify(_approval())
    assert slack.posted == []


def test_a_decision_that_landed_while_the_message_was_posted_is_shown_at_once(connected):
    _, stored = connected
    stored["apr_42"] = _approval(status="approved", decided_by="usr_1", decided_at=CREATED)
    slack = RecordingSlack()
    notifier.SlackApprovalNotifier(slack).notify(_approval())
    assert [(channel, ts) for channel, ts, _ in slack.updated] == [("C1", "1700000000.000100")]


def test_a_decided_approval_updates_its_message_in_place(connected):
    slack = RecordingSlack()
    decided = _approval(status="denied", decided_by="slack:U1", slack_channel="C1", slack_ts="1.2")
    notifier.SlackApprovalNotifier(slack).decided(decided)
    assert slack.updated == [("C1", "1.2", notifier.decided_message(decided))]


def test_an_approval_never_posted_has_no_message_to_update(connected):
    slack = RecordingSlack()
    notifier.SlackApprovalNotifier(slack).decided(_approval(status="approved"))
    assert slack.updated == []


@pytest.mark.parametrize("failure", [SlackUnreachable("down"), SlackRefused("channel_not_found"), RuntimeError("x")])
def test_slack_failures_never_fail_the_approval_or_the_decision(connected, failure):
    slack = RecordingSlack(fail=failure)
    notifier.SlackApprovalNotifier(slack).notify(_approval())  # Then: no exception
    notifier.SlackApprovalNotifier(slack).decided(_approval(status="approved", slack_channel="C1", slack_ts="1.2"))


# --- The Web API adapter against a local Slack ---


@pytest.fixture
def local_slack(monkeypatch):
    with SlackApiFake() as fake:
        fake.point_settings_here(monkeypatch)
        code = fake.sandbox.authorize(client_id="1234.5678", redirect_uri="http://x/cb", workspace_name="Acme")
        token = fake.sandbox.exchange(client_id="1234.5678", code=code, redirect_uri="http://x/cb")["access_token"]
        yield fake, token, SlackWebApi(base_url=f"{fake.base_url}/api/", authorize_url=f"{fake.base_url}/authorize",
                                       timeout_seconds=2)


def test_the_adapter_posts_updates_and_deletes_block_kit_messages(local_slack):
    fake, token, api = local_slack
    channel = fake.channel_id("Acme", "approvals")
    posted = api.post_message(token, channel, notifier.slack_message(_approval()))
    assert [m.blocks for m in fake.messages("Acme", "approvals")] == [notifier.slack_message(_approval())["blocks"]]
    decided = notifier.decided_message(_approval(status="approved", decided_by="usr_1"))
    api.update_message(token, posted.channel, posted.ts, decided)
    assert fake.messages("Acme", "approvals")[0].blocks == decided["blocks"]
    api.delete_message(token, posted.channel, posted.ts)
    assert fake.messages("Acme", "approvals") == []
    assert [call.headers["authorization"] for call in fake.calls] == [f"Bearer {token}"] * 3


def test_the_adapter_finds_channels_by_id_and_name_and_none_when_unknown(local_slack):
    fake, token, api = local_slack
    channel_id = fake.channel_id("Acme", "general")
    assert api.channel(token, channel_id).name == "general"
    assert api.channel_named(token, "general").id == channel_id
    assert api.channel(token, "C0UNKNOWN00") is None and api.channel_named(token, "nope") is None


def test_slacks_refusal_is_the_ports_with_slacks_code(local_slack):
    _, _, api = local_slack
    with pytest.raises(SlackRefused) as refused:
        api.post_message("xoxb-not-issued", "C1", {"text": "x"})
    assert refused.value.slack_error == "invalid_auth"
    assert "xoxb-not-issued" not in str(refused.value)


@pytest.mark.parametrize("status", [429, 500, 502])
def test_slack_throttling_or_failing_is_unreachable(local_slack, status):
    fake, token, api = local_slack
    fake.fail_with(status)
    with pytest.raises(SlackUnreachable):
        api.post_message(token, fake.channel_id("Acme", "general"), {"text": "x"})


class SlowSlack(LocalHttpFake):
    block_on_close = False

    def _handler_class(self):
        class Handler(QuietHandler):
            def do_POST(self):
                time.sleep(3)
                self.send_json(200, {"ok": True, "ts": "1.1", "channel": "C1"})

        return Handler


def test_a_slow_slack_is_given_up_on_after_the_timeout():
    with SlowSlack() as slow:
        api = SlackWebApi(base_url=f"{slow.base_url}/api/", authorize_url="x", timeout_seconds=1)
        started = time.monotonic()
        with pytest.raises(SlackUnreachable):
            api.post_message("xoxb-1", "C1", {"text": "x"})
        assert time.monotonic() - started < 2.9


def test_an_unreachable_slack_is_unreachable():
    api = SlackWebApi(base_url="http://127.0.0.1:9/api/", authorize_url="x", timeout_seconds=1)
    with pytest.raises(SlackUnreachable):
        api.revoke("xoxb-1")
