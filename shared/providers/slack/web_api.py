"""The Slack port over Slack's Web API, through the official `slack_sdk` (imported where it is called: cold starts).

`slack_sdk` logs whole request and response bodies at DEBUG — an `oauth.v2.access` answer carries the bot
token — so every client gets a logger of its own that never emits below INFO, whatever the root logger's level.
"""

from __future__ import annotations

import logging
import urllib.error
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from shared.platform.settings import get_settings
from shared.providers.slack.port import (
    BOT_SCOPES,
    PostedMessage,
    SlackChannel,
    SlackGrant,
    SlackRefused,
    SlackUnreachable,
)

#: conversations.list pages read while looking for a channel by name (1,000 channels a page).
MAX_CHANNEL_PAGES = 10
CHANNEL_PAGE_SIZE = 1000
Answer = TypeVar("Answer")


@lru_cache(maxsize=1)
def _quiet_logger() -> logging.Logger:
    logger = logging.getLogger("callfunnel.slack_sdk")
    logger.setLevel(logging.INFO)  # never DEBUG: slack_sdk's debug lines carry tokens
    return logger


class SlackWebApi:
    def __init__(self, *, base_url: str, authorize_url: str, timeout_seconds: float) -> None:
        self._base_url = base_url
        self._authorize_url = authorize_url
        self._timeout = timeout_seconds

    def _client(self, token: str | None = None):
        from slack_sdk import WebClient

        return WebClient(token=token, base_url=self._base_url, timeout=max(1, round(self._timeout)),
                         logger=_quiet_logger())

    def authorize_url(self, *, client_id: str, redirect_uri: str, state: str) -> str:
        from slack_sdk.oauth import AuthorizeUrlGenerator

        return AuthorizeUrlGenerator(client_id=client_id, redirect_uri=redirect_uri, scopes=list(BOT_SCOPES),
                                     authorization_url=self._authorize_url).generate(state)

    def exchange_code(self, *, client_id: str, client_secret: str, code: str, redirect_uri: str) -> SlackGrant:
        answer = _called(lambda: self._client().oauth_v2_access(client_id=client_id, client_secret=client_secret,
                                                                code=code, redirect_uri=redirect_uri))
        team = answer.get("team") or {}
        token = answer.get("access_token")
        if answer.get("token_type") != "bot" or not token or not team.get("id"):
            raise SlackRefused("no_bot_token")  # a user-token-only grant is of no use to us
        return SlackGrant(team_id=str(team["id"]), team_name=str(team.get("name") or team["id"]), bot_token=token,
                          scope=str(answer.get("scope") or ""), bot_user_id=answer.get("bot_user_id"),
                          app_id=answer.get("app_id"), authorizing_user_id=(answer.get("authed_user") or {}).get("id"))

    def revoke(self, token: str) -> None:
        _called(lambda: self._client(token).auth_revoke())

    def channel(self, token: str, channel_id: str) -> SlackChannel | None:
        try:
            answer = _called(lambda: self._client(token).conversations_info(channel=channel_id))
        except SlackRefused as refused:
            if refused.slack_error == "channel_not_found":
                return None
            raise
        return _channel_of(answer.get("channel") or {})

    def channel_named(self, token: str, name: str) -> SlackChannel | None:
        client, cursor = self._client(token), None
        for _ in range(MAX_CHANNEL_PAGES):
            answer = _called(lambda page=cursor: client.conversations_list(
                types="public_channel,private_channel", exclude_archived=False, limit=CHANNEL_PAGE_SIZE, cursor=page))
            for channel in answer.get("channels") or []:
                if channel.get("name") == name:
                    return _channel_of(channel)
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def post_message(self, token: str, channel: str, message: dict[str, Any]) -> PostedMessage:
        answer = _called(lambda: self._client(token).chat_postMessage(channel=channel, text=message.get("text"),
                                                                      blocks=message.get("blocks")))
        return PostedMessage(channel=str(answer.get("channel") or channel), ts=str(answer["ts"]))

    def update_message(self, token: str, channel: str, ts: str, message: dict[str, Any]) -> None:
        _called(lambda: self._client(token).chat_update(channel=channel, ts=ts, text=message.get("text"),
                                                        blocks=message.get("blocks")))

    def delete_message(self, token: str, channel: str, ts: str) -> None:
        _called(lambda: self._client(token).chat_delete(channel=channel, ts=ts))


def _channel_of(channel: dict[str, Any]) -> SlackChannel:
    return SlackChannel(id=str(channel.get("id", "")), name=str(channel.get("name", "")),
                        is_private=bool(channel.get("is_private")), is_archived=bool(channel.get("is_archived")))


def _called(call: Callable[[], Any]) -> Any:
    """Run one Web API call; Slack's refusals and failures as the port's errors (never the SDK's)."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    try:
        return call()
    except SlackApiError as error:
        status = error.response.status_code
        data = error.response.data if isinstance(error.response.data, dict) else {}
        if status == 429 or status >= 500 or not data:
            raise SlackUnreachable(f"Slack answered HTTP {status}") from None
        raise SlackRefused(str(data.get("error") or "unknown_error")) from None
    except (SlackClientError, urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        # `from None`: the SDK's exception may quote the request, and the request may carry a token.
        raise SlackUnreachable(f"Slack could not be reached ({type(error).__name__})") from None


def slack_api() -> SlackWebApi:
    """The adapter, pointed where settings say Slack is (the sandbox Slack on a laptop)."""
    settings = get_settings()
    return SlackWebApi(base_url=settings.slack_api_base_url, authorize_url=settings.slack_authorize_url,
                       timeout_seconds=settings.slack_timeout_seconds)
