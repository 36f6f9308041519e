"""A tenant's Slack connection in the single table (patterns SL1–SL5).

Three item types: the installation on the tenant's partition (`SK=INTEGRATION#SLACK`, with the bot token sealed
as an envelope), the workspace's link to its tenant (`PK=SLACKTEAM#{team}`: interactivity maps a click's team to
a tenant with one GetItem, and one workspace serves one tenant), and each user's pending "Add to Slack" state
(only its sha256, with a TTL). The installation and the link are written and deleted in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from shared.integrations.models import SlackChannelRef, SlackInstallation, SlackOAuthState, SlackTeam
from shared.platform.crypto import Envelope
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, condition_failed, failed_condition_positions, transaction

#: A used state is kept a day past its expiry, so a replay is told "already used" rather than "unknown".
USED_STATE_RETENTION = timedelta(days=1)


class _SlackInstallationItem(TableItem, discriminator="SlackInstallation"):
    tenant_id = NumberAttribute()
    team_id = UnicodeAttribute()
    team_name = UnicodeAttribute()
    installed_by = UnicodeAttribute()
    installed_at = UTCDateTimeAttribute()
    authorizing_slack_user = UnicodeAttribute(null=True)
    bot_user_id = UnicodeAttribute(null=True)
    scope = UnicodeAttribute(null=True)
    channel_id = UnicodeAttribute(null=True)
    channel_name = UnicodeAttribute(null=True)
    # The sealed bot token (shared.platform.crypto.Envelope).
    ciphertext = BinaryAttribute(legacy_encoding=False)
    nonce = BinaryAttribute(legacy_encoding=False)
    wrapped_key = BinaryAttribute(legacy_encoding=False)
    key_id = UnicodeAttribute()
    algorithm = UnicodeAttribute()


class _SlackTeamLinkItem(TableItem, discriminator="SlackTeamLink"):
    team_id = UnicodeAttribute()
    tenant_id = NumberAttribute()


class _SlackOAuthStateItem(TableItem, discriminator="SlackOAuthState"):
    tenant_id = NumberAttribute()
    user_id = UnicodeAttribute()
    state_hash = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


def _installation_from(item: _SlackInstallationItem) -> SlackInstallation:
    channel = SlackChannelRef(id=item.channel_id, name=item.channel_name or item.channel_id) if item.channel_id \
        else None
    return SlackInstallation(tenant_id=item.tenant_id, team=SlackTeam(id=item.team_id, name=item.team_name),
                             installed_by=item.installed_by, installed_at=item.installed_at,
                             authorizing_slack_user=item.authorizing_slack_user, bot_user_id=item.bot_user_id,
                             scope=item.scope or "", channel=channel)


def _envelope_of(item: _SlackInstallationItem) -> Envelope:
    return Envelope(ciphertext=item.ciphertext, nonce=item.nonce, wrapped_key=item.wrapped_key,
                    key_id=item.key_id, algorithm=item.algorithm)


def _installation_key(tenant_id: int) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.SLACK_INSTALLATION


def _find_item(tenant_id: int) -> _SlackInstallationItem | None:
    try:
        return _SlackInstallationItem.get(*_installation_key(tenant_id), consistent_read=True)
    except DoesNotExist:
        return None


# --- SL1 / SL2: the installation (and its sealed token) ---

def find_installation(tenant_id: int) -> SlackInstallation | None:
    item = _find_item(tenant_id)
    return _installation_from(item) if item else None


def find_sealed_installation(tenant_id: int) -> tuple[SlackInstallation, Envelope] | None:
    """The installation with its sealed bot token (the caller opens it with shared.platform.crypto)."""
    item = _find_item(tenant_id)
    return (_installation_from(item), _envelope_of(item)) if item else None


def save_installation(installation: SlackInstallation, token: Envelope, *, replaces_team: str | None) -> None:
    """Connect (or reconnect) the tenant's workspace: the installation, the workspace's link to this tenant, and —
    when the tenant moves to another workspace — the old workspace's link removed, in one transaction.

    `replaces_team` is the team of the installation the caller read (None: it read none); a concurrent change
    cancels the transaction (409 SLACK_CHANGED). A workspace linked to another tenant: 409 SLACK_WORKSPACE_IN_USE.
    """
    tenant_id, team_id = installation.tenant_id, installation.team.id
    item = _SlackInstallationItem(
        *_installation_key(tenant_id), tenant_id=tenant_id, team_id=team_id, team_name=installation.team.name,
        installed_by=installation.installed_by, installed_at=installation.installed_at,
        authorizing_slack_user=installation.authorizing_slack_user, bot_user_id=installation.bot_user_id,
        scope=installation.scope or None, channel_id=installation.channel.id if installation.channel else None,
        channel_name=installation.channel.name if installation.channel else None, ciphertext=token.ciphertext,
        nonce=token.nonce, wrapped_key=token.wrapped_key, key_id=token.key_id, algorithm=token.algorithm)
    unchanged = (_SlackInstallationItem.PK.does_not_exist() if replaces_team is None
                 else _SlackInstallationItem.team_id == replaces_team)
    link = _SlackTeamLinkItem(keys.slack_team_pk(team_id), keys.SLACK_TEAM, team_id=team_id, tenant_id=tenant_id)
    free_or_ours = _SlackTeamLinkItem.PK.does_not_exist() | (_SlackTeamLinkItem.tenant_id == tenant_id)
    try:
        with transaction() as tx:
            tx.save(item, condition=unchanged)
            tx.save(link, condition=free_or_ours)
            if replaces_team is not None and replaces_team != team_id:
                tx.delete(_SlackTeamLinkItem(keys.slack_team_pk(replaces_team), keys.SLACK_TEAM),
                          condition=_SlackTeamLinkItem.tenant_id == tenant_id)
    except TransactWriteError as error:
        if 1 in failed_condition_positions(error):
            raise Conflict("This Slack workspace is connected to another CallFunnel workspace; disconnect it "
                           "there first", code="SLACK_WORKSPACE_IN_USE") from error
        if failed_condition_positions(error):
            raise _changed_meanwhile() from error
        raise


def set_channel(tenant_id: int, team_id: str, channel: SlackChannelRef) -> SlackInstallation | None:
    """Choose the channel, provided the tenant is still connected to that workspace; None if it is not."""
    item = _SlackInstallationItem(*_installation_key(tenant_id))
    try:
        item.update(actions=[_SlackInstallationItem.channel_id.set(channel.id),
                             _SlackInstallationItem.channel_name.set(channel.name)],
                    condition=_SlackInstallationItem.PK.exists() & (_SlackInstallationItem.team_id == team_id))
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _installation_from(item)


def delete_installation(tenant_id: int, team_id: str) -> None:
    """Disconnect: the installation (if still that workspace's) and the workspace's link, together."""
    try:
        with transaction() as tx:
            tx.delete(_SlackInstallationItem(*_installation_key(tenant_id)),
                      condition=_SlackInstallationItem.team_id == team_id)
            tx.delete(_SlackTeamLinkItem(keys.slack_team_pk(team_id), keys.SLACK_TEAM),
                      condition=_SlackTeamLinkItem.PK.does_not_exist() | (_SlackTeamLinkItem.tenant_id == tenant_id))
    except TransactWriteError as error:
        if failed_condition_positions(error):
            raise _changed_meanwhile() from error
        raise


def _changed_meanwhile() -> Conflict:
    return Conflict("The Slack connection changed while this request ran; try again", code="SLACK_CHANGED")


# --- SL3: which tenant a workspace belongs to (interactivity) ---

def tenant_of_team(team_id: str) -> int | None:
    try:
        return _SlackTeamLinkItem.get(keys.slack_team_pk(team_id), keys.SLACK_TEAM, consistent_read=True).tenant_id
    except DoesNotExist:
        return None


# --- SL4 / SL5: the pending "Add to Slack" of a user ---

def save_oauth_state(state: SlackOAuthState) -> None:
    """Replace the user's pending state (a newer "Add to Slack" voids the older one)."""
    _SlackOAuthStateItem(
        keys.tenant_pk(state.tenant_id), keys.slack_oauth_state_sk(state.user_id), tenant_id=state.tenant_id,
        user_id=state.user_id, state_hash=state.state_hash, expires_at=state.expires_at,
        ttl=int((state.expires_at + USED_STATE_RETENTION).timestamp()),
    ).save()


def find_oauth_state(tenant_id: int, user_id: str) -> SlackOAuthState | None:
    try:
        item = _SlackOAuthStateItem.get(keys.tenant_pk(tenant_id), keys.slack_oauth_state_sk(user_id),
                                        consistent_read=True)
    except DoesNotExist:
        return None
    return SlackOAuthState(tenant_id=item.tenant_id, user_id=item.user_id, state_hash=item.state_hash,
                           expires_at=item.expires_at, used_at=item.used_at)


def mark_oauth_state_used(tenant_id: int, user_id: str, state_hash: str, used_at: datetime) -> bool:
    """Spend the state once: True for the one request that spends it, False for any other."""
    item = _SlackOAuthStateItem(keys.tenant_pk(tenant_id), keys.slack_oauth_state_sk(user_id))
    try:
        item.update(actions=[_SlackOAuthStateItem.used_at.set(used_at)],
                    condition=(_SlackOAuthStateItem.state_hash == state_hash)
                    & _SlackOAuthStateItem.used_at.does_not_exist())
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True
