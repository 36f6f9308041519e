"""The sandbox Slack's state: its workspaces (channels, the app's messages, replies to clicks), the OAuth codes
it issued and the bot tokens it granted. In memory, like the rest of the laptop stack; thread-safe.

It behaves as Slack does where CallFunnel relies on it: a code is good once, for ten minutes, for the client and
redirect URI it was issued to; one app install per workspace keeps one bot token (a reinstall gets the same
token back, as Slack's are); a revoked token is refused (`token_revoked`); the bot may post in any public
channel (`chat:write.public`) and update or delete only its own messages.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from shared.platform import clock

SANDBOX_SLACK_PATH = "/_sandbox/slack"
CODE_TTL_SECONDS = 600
#: Channels every new sandbox workspace starts with (all public; the app was not invited to any).
DEFAULT_CHANNELS = ("general", "approvals", "random")
SANDBOX_APP_ID = "A0SANDBOXAPP"


class SlackError(Exception):
    """A Web API refusal: answered `{"ok": false, "error": code}` with HTTP 200, as Slack does."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Message:
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    user: str  # the bot user that posted it
    posted_at: float
    edited_at: float | None = None
    #: What clicks on it were answered with (the interactivity replies posted to its response_url).
    replies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    messages: list[Message] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "is_channel": not self.is_private, "is_private": self.is_private,
                "is_archived": self.is_archived, "is_member": False}


@dataclass
class Workspace:
    id: str  # T…
    name: str
    bot_user_id: str
    installer_id: str  # the sandbox person who clicked Allow
    channels: dict[str, Channel] = field(default_factory=dict)
    bot_token: str | None = None


@dataclass(frozen=True)
class _Code:
    team_id: str
    client_id: str
    redirect_uri: str
    expires_at: float


def _slack_id(prefix: str) -> str:
    return prefix + secrets.token_hex(5).upper()


class SandboxSlack:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workspaces: dict[str, Workspace] = {}
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, str] = {}  # live bot token → team id
        self._revoked: set[str] = set()
        self._ts = itertools.count(1)

    # --- OAuth v2 ---

    def authorize(self, *, client_id: str, redirect_uri: str, workspace_name: str) -> str:
        """The person clicked Allow for `workspace_name` (created on first use): a fresh single-use code."""
        name = re.sub(r"\s+", " ", workspace_name).strip()[:60] or "Sandbox workspace"
        with self._lock:
            workspace = next((w for w in self._workspaces.values() if w.name.lower() == name.lower()), None)
            if workspace is None:
                workspace = Workspace(id=_slack_id("T"), name=name, bot_user_id=_slack_id("U"),
                                      installer_id=_slack_id("U"))
                for channel_name in DEFAULT_CHANNELS:
                    channel = Channel(id=_slack_id("C"), name=channel_name)
                    workspace.channels[channel.id] = channel
                self._workspaces[workspace.id] = workspace
            code = f"{workspace.id}.{secrets.token_urlsafe(24)}"
            self._codes[code] = _Code(team_id=workspace.id, client_id=client_id, redirect_uri=redirect_uri,
                                      expires_at=clock.now().timestamp() + CODE_TTL_SECONDS)
        return code

    def exchange(self, *, client_id: str, code: str, redirect_uri: str | None) -> dict[str, Any]:
        """oauth.v2.access (the caller checked the client's secret): the bot token for the code's workspace."""
        with self._lock:
            issued = self._codes.pop(code, None)  # good once, whatever happens next
            if issued is None or issued.expires_at < clock.now().timestamp():
                raise SlackError("invalid_code")
            if issued.client_id != client_id:
                raise SlackError("invalid_client_id")
            if redirect_uri != issued.redirect_uri:
                raise SlackError("bad_redirect_uri")
            workspace = self._workspaces[issued.team_id]
            if workspace.bot_token is None or workspace.bot_token in self._revoked:
                workspace.bot_token = f"xoxb-sandbox-{workspace.id}-{secrets.token_urlsafe(24)}"
                self._tokens[workspace.bot_token] = workspace.id
            return {"ok": True, "access_token": workspace.bot_token, "token_type": "bot",
                    "scope": "chat:write,chat:write.public,channels:read,groups:read",
                    "bot_user_id": workspace.bot_user_id, "app_id": SANDBOX_APP_ID,
                    "team": {"id": workspace.id, "name": workspace.name}, "enterprise": None,
                    "authed_user": {"id": workspace.installer_id}, "is_enterprise_install": False}

    # --- The Web API, as the bot ---

    def revoke(self, token: str) -> None:
        with self._lock:
            self._workspace_of(token)
            self._revoked.add(token)
            self._tokens.pop(token, None)

    def channel_info(self, token: str, channel_id: str) -> dict[str, Any]:
        with self._lock:
            return self._channel(self._workspace_of(token), channel_id).as_json()

    def channels(self, token: str, *, include_archived: bool) -> list[dict[str, Any]]:
        with self._lock:
            workspace = self._workspace_of(token)
            return [channel.as_json() for channel in workspace.channels.values()
                    if include_archived or not channel.is_archived]

    def post(self, token: str, channel_id: str, text: str, blocks: list[dict[str, Any]]) -> tuple[str, Message]:
        with self._lock:
            workspace = self._workspace_of(token)
            channel = self._channel(workspace, channel_id)
            if channel.is_archived:
                raise SlackError("is_archived")
            message = Message(ts=f"{int(clock.now().timestamp())}.{next(self._ts):06d}", text=text, blocks=blocks,
                              user=workspace.bot_user_id, posted_at=clock.now().timestamp())
            channel.messages.append(message)
            return channel.id, message

    def update(self, token: str, channel_id: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> Message:
        with self._lock:
            workspace = self._workspace_of(token)
            message = self._own_message(workspace, channel_id, ts)
            message.text, message.blocks, message.edited_at = text, blocks, clock.now().timestamp()
            return message

    def delete(self, token: str, channel_id: str, ts: str) -> None:
        with self._lock:
            workspace = self._workspace_of(token)
            message = self._own_message(workspace, channel_id, ts)
            self._channel(workspace, channel_id).messages.remove(message)

    # --- What the page shows and clicks on ---

    def reply_to_click(self, team_id: str, channel_id: str, ts: str, reply: dict[str, Any]) -> bool:
        """A POST to a click's response_url: kept with the message it answers (the clicker sees it)."""
        with self._lock:
            workspace = self._workspaces.get(team_id)
            channel = workspace.channels.get(channel_id) if workspace else None
            message = next((m for m in channel.messages if m.ts == ts), None) if channel else None
            if message is None:
                return False
            message.replies.append(reply)
            return True

    def workspaces(self) -> list[Workspace]:
        """A copy of every workspace (newest messages last in each channel)."""
        with self._lock:
            return [Workspace(id=w.id, name=w.name, bot_user_id=w.bot_user_id, installer_id=w.installer_id,
                              bot_token=None, channels={
                                  cid: Channel(id=c.id, name=c.name, is_private=c.is_private,
                                               is_archived=c.is_archived,
                                               messages=[replace(m, replies=list(m.replies)) for m in c.messages])
                                  for cid, c in w.channels.items()})
                    for w in self._workspaces.values()]

    def bot_token_of(self, team_id: str) -> str | None:
        """The bot token the workspace granted (tests check it never leaks; the page never shows it)."""
        with self._lock:
            workspace = self._workspaces.get(team_id)
            return workspace.bot_token if workspace else None

    def find_message(self, team_id: str, channel_id: str, ts: str) -> Message | None:
        return next((m for w in self.workspaces() if w.id == team_id for c in w.channels.values()
                     if c.id == channel_id for m in c.messages if m.ts == ts), None)

    # --- inside the lock ---

    def _workspace_of(self, token: str) -> Workspace:
        if not token:
            raise SlackError("not_authed")
        if token in self._revoked:
            raise SlackError("token_revoked")
        team_id = self._tokens.get(token)
        if team_id is None:
            raise SlackError("invalid_auth")
        return self._workspaces[team_id]

    @staticmethod
    def _channel(workspace: Workspace, channel_id: str) -> Channel:
        channel = workspace.channels.get(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def _own_message(self, workspace: Workspace, channel_id: str, ts: str) -> Message:
        message = next((m for m in self._channel(workspace, channel_id).messages if m.ts == ts), None)
        if message is None:
            raise SlackError("message_not_found")
        if message.user != workspace.bot_user_id:
            raise SlackError("cant_update_message")
        return message
