"""Slack: the port for what CallFunnel asks of a tenant's Slack workspace (OAuth v2 install, channels, messages).

One adapter, `shared.providers.slack.web_api.SlackWebApi`, speaks Slack's Web API through `slack_sdk`; the local
stack points it at its sandbox Slack (`SLACK_API_BASE_URL`), so the sandbox takes the same code path.

Slack answers most refusals with HTTP 200 and `{"ok": false, "error": "<code>"}`: the adapter raises
`SlackRefused` carrying that code, and the caller decides what it means (a bad OAuth code is the user's input, a
revoked token means "reconnect"). `SlackUnreachable` is everything else: timeouts, connection errors, 429, 5xx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.platform.errors import Upstream

#: What the bot may do: post (also in public channels it was not invited to) and read channels to validate the
#: one the tenant picks. Nothing that reads messages.
BOT_SCOPES = ("chat:write", "chat:write.public", "channels:read", "groups:read")
#: Slack's error codes that mean the token no longer works (app uninstalled, token revoked, workspace gone).
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                          "team_access_not_granted", "missing_scope"})


class SlackRefused(Upstream):
    """Slack answered `ok: false`; `slack_error` is its code (e.g. `invalid_code`, `channel_not_found`)."""

    default_code = "SLACK_REFUSED"

    def __init__(self, slack_error: str) -> None:
        super().__init__(f"Slack refused the request ({slack_error})", code=self.default_code)
        self.slack_error = slack_error


class SlackUnreachable(Upstream):
    default_code = "SLACK_UNAVAILABLE"


@dataclass(frozen=True)
class SlackGrant:
    """What `oauth.v2.access` grants: the bot token of one workspace, and who authorized it."""

    team_id: str
    team_name: str
    bot_token: str = field(repr=False)  # never in a log line or an error message
    scope: str = ""
    bot_user_id: str | None = None
    app_id: str | None = None
    authorizing_user_id: str | None = None


@dataclass(frozen=True)
class SlackChannel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False


@dataclass(frozen=True)
class PostedMessage:
    channel: str
    ts: str  # the message's id within its channel: what chat.update and chat.delete name


class SlackApi(Protocol):
    def authorize_url(self, *, client_id: str, redirect_uri: str, state: str) -> str:
        """Slack's "Add to Slack" page for this app, asking for `BOT_SCOPES`."""

    def exchange_code(self, *, client_id: str, client_secret: str, code: str, redirect_uri: str) -> SlackGrant:
        """oauth.v2.access."""

    def revoke(self, token: str) -> None:
        """auth.revoke."""

    def channel(self, token: str, channel_id: str) -> SlackChannel | None:
        """conversations.info; None when the bot cannot see such a channel."""

    def channel_named(self, token: str, name: str) -> SlackChannel | None:
        """conversations.list, searched by name (public channels, and private ones the bot is in)."""

    def post_message(self, token: str, channel: str, message: dict[str, Any]) -> PostedMessage:
        """chat.postMessage of a Block Kit message (`text` + `blocks`)."""

    def update_message(self, token: str, channel: str, ts: str, message: dict[str, Any]) -> None:
        """chat.update: replace a message the bot posted."""

    def delete_message(self, token: str, channel: str, ts: str) -> None:
        """chat.delete: remove a message the bot posted."""
