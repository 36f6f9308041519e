"""The "a human should decide" notifier: the Block Kit message, and the Slack adapter against a local fake."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from shared.approvals import notifier
from shared.approvals.models import Approval
from shared.platform.settings import reset_settings
from tests.fakes.local_server import LocalHttpFake, QuietHandler

CREATED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def _approval() -> Approval:
    return Approval(id="apr_42", tenant_id=7, workflow_id="wf_1", run_id="run_1", target_phone="+919876543210",
                    proposed_action="concession", proposed_value_minor=50_000, currency="INR",
                    rationale="Customer has paid on time for 3 years", context={}, status="pending",
                    created_at=CREATED, expires_at=CREATED + timedelta(minutes=5))


class SlackFake(LocalHttpFake):
    """An incoming webhook: records each POST and answers with `status` after `delay` seconds."""

    block_on_close = False

    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.received: list[dict] = []
        self.status, self.delay = status, delay
        super().__init__()

    def _handler_class(self):
        fake = self

        class Handler(QuietHandler):
            def do_POST(self):
                fake.received.append({"headers": self.lower_headers(), "body": json.loads(self.read_body())})
                time.sleep(fake.delay)
                self.send_bytes(fake.status, b"ok", content_type="text/plain")

        return Handler


def _buttons(message: dict) -> list[dict]:
    actions = [block for block in message["blocks"] if block["type"] == "actions"]
    assert len(actions) == 1
    return actions[0]["elements"]


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


def test_the_slack_adapter_posts_the_message_as_json():
    with SlackFake() as slack:
        notifier.SlackWebhookNotifier(slack.base_url + "/services/T/B/X").notify(_approval())
    assert len(slack.received) == 1
    assert slack.received[0]["headers"]["content-type"] == "application/json"
    assert slack.received[0]["body"] == notifier.slack_message(_approval())


def test_a_slack_error_answer_is_swallowed():
    with SlackFake(status=500) as slack:
        notifier.SlackWebhookNotifier(slack.base_url).notify(_approval())  # Then: no exception
    assert len(slack.received) == 1


def test_a_slow_slack_is_given_up_on_after_the_timeout():
    with SlackFake(delay=2.0) as slack:
        started = time.monotonic()
        notifier.SlackWebhookNotifier(slack.base_url, timeout_seconds=0.3).notify(_approval())
        assert time.monotonic() - started < 1.5


def test_an_unreachable_slack_is_swallowed():
    notifier.SlackWebhookNotifier("http://127.0.0.1:9/nothing-listens", timeout_seconds=0.5).notify(_approval())


def test_the_slack_adapter_is_chosen_when_a_webhook_url_is_set(monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/X")
    reset_settings()
    assert isinstance(notifier.default_notifier(), notifier.SlackWebhookNotifier)


def test_the_sandbox_adapter_is_chosen_without_a_webhook_url(monkeypatch):
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    reset_settings()
    assert isinstance(notifier.default_notifier(), notifier.SandboxNotifier)
