"""/healthz's "slack": each tenant's own Slack through this deployment's app — Slack itself, the laptop's sandbox
Slack, or off (no app credentials: approvals are decided through the API only). SLACK_WEBHOOK_URL means nothing."""

from __future__ import annotations

import pytest

from shared.platform.settings import reset_settings
from shared.providers.status import provider_statuses


@pytest.mark.parametrize(("environment", "expected"), [
    ({}, ("disabled", False, False)),
    ({"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X"}, ("disabled", False, False)),
    ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}, ("slack-oauth", True, False)),
    ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s",
      "SLACK_API_BASE_URL": "http://127.0.0.1:8000/_sandbox/slack/api/"}, ("sandbox-slack", True, True)),
])
def test_slack_status(monkeypatch, environment, expected):
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_API_BASE_URL", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    status = provider_statuses()["slack"]
    assert (status.mode, status.configured, status.sandbox) == expected
