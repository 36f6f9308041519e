"""What the Slack integration tests share: a sandbox Slack on a local port, a KMS key for the bot tokens (the
cloud's path: moto's KMS), and "Add to Slack" done the way a tenant does it."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from shared.platform import crypto
from shared.platform.settings import reset_settings
from tests.fakes.slack_api import SlackApiFake


@lru_cache(maxsize=1)
def credentials_key_arn() -> str:
    """One KMS key per session (creating one costs ~0.2 s on moto)."""
    from shared.platform.aws import client

    return client("kms").create_key(Description="credentials (Slack tests)")["KeyMetadata"]["Arn"]


@contextmanager
def sandbox_slack(monkeypatch: Any) -> Iterator[SlackApiFake]:
    """Slack's API and authorize page on a local port; bot tokens sealed under KMS, as in the cloud."""
    monkeypatch.setenv("CREDENTIALS_KMS_KEY_ID", credentials_key_arn())
    monkeypatch.delenv("CALLFUNNEL_LOCAL_MEK", raising=False)
    crypto.clear_key_cache()
    with SlackApiFake() as fake:
        fake.point_settings_here(monkeypatch)
        yield fake
    monkeypatch.undo()
    reset_settings()


def start_install(api: Any, account: Any) -> str:
    reply = api.post("/integrations/slack/install", token=account.token)
    assert reply.status == 200, reply.body
    return reply.body["authorize_url"]


def finish_install(api: Any, account: Any, **query: str):
    return api.get("/integrations/slack/oauth/callback", query=urllib.parse.urlencode(query), token=account.token)


def connect(api: Any, account: Any, slack: SlackApiFake, workspace: str = "Acme",
            channel: str | None = "approvals") -> str:
    """Add to Slack (allowed in `workspace`), then choose `channel`; returns the workspace's team id."""
    code, state = slack.allow(start_install(api, account), workspace)
    done = finish_install(api, account, code=code, state=state)
    assert done.status == 303, done.body
    if channel:
        chosen = api.request("PUT", "/integrations/slack", json_body={"channel": channel}, token=account.token)
        assert chosen.status == 200, chosen.body
    return slack.workspace(workspace).id
