"""Slack's Web API and authorize page on 127.0.0.1, for tests: the laptop stack's sandbox Slack
(infra_local/sandbox_slack_api.py) served by a fake of its own, with every call recorded.

    with SlackApiFake() as slack:
        slack.point_settings_here(monkeypatch)          # SLACK_API_BASE_URL, SLACK_AUTHORIZE_URL, app credentials
        code, state = slack.allow(authorize_url, "Acme")  # the person clicks Allow on Slack's page
        slack.messages("Acme", "approvals")               # what the bot posted there

`fail_with(status)` answers every Web API call with that HTTP status (429, 500…) instead; `refuse(method, error)`
answers one method `{"ok": false, "error": error}` (e.g. Slack refusing this app's secret: `bad_client_secret`).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from infra_local.http_adapter import HttpResponse
from infra_local.sandbox_slack_api import api_response
from infra_local.sandbox_slack_workspaces import Message, SandboxSlack, Workspace
from tests.fakes.local_server import LocalHttpFake, QuietHandler

CLIENT_ID = "1234.5678"
CLIENT_SECRET = "slack-client-secret-for-tests"
AUTHORIZE_PATH = "/oauth/v2/authorize"


@dataclass(frozen=True)
class RecordedCall:
    method: str
    headers: dict[str, str]
    body: bytes


class SlackApiFake(LocalHttpFake):
    def __init__(self) -> None:
        self.sandbox = SandboxSlack()
        self.calls: list[RecordedCall] = []
        self.forced_status: int | None = None
        self.refusals: dict[str, str] = {}
        super().__init__()

    def point_settings_here(self, monkeypatch: Any, *, client_secret: str = CLIENT_SECRET) -> None:
        from shared.platform.settings import reset_settings

        monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("SLACK_CLIENT_SECRET", client_secret)
        monkeypatch.setenv("SLACK_API_BASE_URL", f"{self.base_url}/api/")
        monkeypatch.setenv("SLACK_AUTHORIZE_URL", f"{self.base_url}{AUTHORIZE_PATH}")
        monkeypatch.setenv("SLACK_RESPONSE_URL_PREFIX", f"{self.base_url}/respond/")
        reset_settings()

    def fail_with(self, status: int | None) -> None:
        self.forced_status = status

    def refuse(self, method: str, error: str) -> None:
        self.refusals[method] = error

    def allow(self, authorize_url: str, workspace: str) -> tuple[str, str]:
        """What Slack's page does when the person allows the app in `workspace`: (code, state) for the redirect."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
        code = self.sandbox.authorize(client_id=query["client_id"], redirect_uri=query["redirect_uri"],
                                      workspace_name=workspace)
        return code, query["state"]

    def workspace(self, name: str) -> Workspace:
        return next(workspace for workspace in self.sandbox.workspaces() if workspace.name == name)

    def messages(self, workspace: str, channel: str) -> list[Message]:
        found = self.workspace(workspace)
        return next(c for c in found.channels.values() if c.name == channel).messages

    def channel_id(self, workspace: str, channel: str) -> str:
        return next(c.id for c in self.workspace(workspace).channels.values() if c.name == channel)

    def called(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                target = urllib.parse.urlsplit(self.path)
                headers, body = self.lower_headers(), self.read_body()
                if target.path.startswith("/respond/"):
                    team, channel, ts = target.path.removeprefix("/respond/").split("/")
                    fake.sandbox.reply_to_click(team, channel, ts, json.loads(body))
                    self.send_bytes(200, b"ok", content_type="text/plain")
                    return
                method = target.path.removeprefix("/api/")
                fake.calls.append(RecordedCall(method, headers, body))
                if fake.forced_status is not None:
                    self.send_bytes(fake.forced_status, b'{"ok": false, "error": "fake_failure"}')
                    return
                if method in fake.refusals:
                    self.send_json(200, {"ok": False, "error": fake.refusals[method]})
                    return
                answer: HttpResponse = api_response(fake.sandbox, method, headers, target.query, body)
                self.send_bytes(answer.status, answer.body)

        return Handler
