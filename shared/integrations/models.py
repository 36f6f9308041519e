"""A tenant's Slack connection, as stored and as the API shows it.

The bot token never appears in these models: it stays sealed in the repository (shared.platform.crypto, under the
credentials KMS key with the tenant as encryption context) and is opened only to call Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel


class SlackTeam(BaseModel):
    id: str
    name: str


class SlackChannelRef(BaseModel):
    id: str
    name: str


class SlackInstallation(BaseModel):
    """One tenant's installation of the Slack app: its workspace, who connected it, the chosen channel."""

    tenant_id: int
    team: SlackTeam
    installed_by: str  # the CallFunnel user who clicked "Add to Slack"
    installed_at: datetime
    authorizing_slack_user: str | None = None
    bot_user_id: str | None = None
    scope: str = ""
    channel: SlackChannelRef | None = None


class SlackOAuthState(BaseModel):
    """The one pending "Add to Slack" of a user: only the state's sha256 is kept."""

    tenant_id: int
    user_id: str
    state_hash: str
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class ConnectedSlack:
    """What it takes to post to a tenant's Slack: the workspace, the chosen channel (if any), the open token."""

    tenant_id: int
    team_id: str
    channel_id: str | None
    token: str = field(repr=False)


# --- API views ---


class SlackInstallStart(BaseModel):
    """`POST /integrations/slack/install`: where to send the browser."""

    authorize_url: str


class SlackConnection(BaseModel):
    """`GET /integrations/slack` (and `PUT`)."""

    connected: bool
    team: SlackTeam | None = None
    channel: SlackChannelRef | None = None
    installed_by: str | None = None
    installed_at: datetime | None = None

    @classmethod
    def of(cls, installation: SlackInstallation | None) -> "SlackConnection":
        if installation is None:
            return cls(connected=False)
        return cls(connected=True, team=installation.team, channel=installation.channel,
                   installed_by=installation.installed_by, installed_at=installation.installed_at)


class SlackDisconnected(BaseModel):
    """`DELETE /integrations/slack`: the connection is gone; `revoked` says whether Slack revoked the token too."""

    deleted: bool
    revoked: bool
