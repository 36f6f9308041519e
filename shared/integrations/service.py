"""A tenant's own Slack: "Add to Slack" (OAuth v2), the channel approvals go to, disconnecting.

The OAuth `state` is bound to the tenant and the user who asked to install: one pending state per user (only
its sha256 stored, expiring after `slack_oauth_state_ttl_seconds`), compared in constant time, spent by exactly
one callback (a conditional write). The callback needs that same user's session as well, so a link that leaked
cannot install a workspace into someone else's account, and an attacker's link cannot install into ours.

The bot token is sealed like BYOK secrets (shared.platform.crypto: KMS envelope, the tenant as encryption
context) and opened only to call Slack; it is never returned, logged or stored in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from urllib.parse import quote

from shared.auth.principal import Principal
from shared.integrations import repository
from shared.integrations.models import (
    ConnectedSlack,
    SlackChannelRef,
    SlackConnection,
    SlackDisconnected,
    SlackInstallation,
    SlackInstallStart,
    SlackOAuthState,
    SlackTeam,
)
from shared.platform import clock, crypto
from shared.platform.errors import BadRequest, CallFunnelError, Conflict, Invalid, NotFound, Unavailable, Upstream
from shared.platform.observability import count_business_event, get_logger
from shared.platform.settings import get_settings
from shared.providers.slack.port import TOKEN_ERRORS, SlackRefused
from shared.providers.slack.web_api import slack_api

CALLBACK_PATH = "/integrations/slack/oauth/callback"
#: Where the browser lands after Slack: the console's Slack page (hash routes), told how it went.
CONSOLE_SLACK_PAGE = "/#/setup/slack"
#: Slack's refusals of an authorization code: the code in the request is at fault (400).
CODE_ERRORS = frozenset({"invalid_code", "code_already_used", "code_expired", "bad_redirect_uri",
                         "oauth_authorization_url_mismatch", "invalid_grant_type"})
#: Slack's refusals of the app's own credentials: this deployment is misconfigured (503).
CLIENT_ERRORS = frozenset({"invalid_client_id", "bad_client_secret", "invalid_client"})
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")


# --- "Add to Slack" ---

def start_install(principal: Principal) -> SlackInstallStart:
    """A fresh state for this user (replacing any pending one) and Slack's authorize URL carrying it."""
    client_id, _ = _app_credentials()
    crypto.ensure_available()  # no way to seal a token: say so now, before Slack issues one
    state = secrets.token_urlsafe(32)
    settings = get_settings()
    repository.save_oauth_state(SlackOAuthState(
        tenant_id=principal.tenant_id, user_id=_user_of(principal), state_hash=_digest(state),
        expires_at=clock.now_seconds() + timedelta(seconds=settings.slack_oauth_state_ttl_seconds)))
    count_business_event("SlackInstallStarted")
    return SlackInstallStart(authorize_url=slack_api().authorize_url(client_id=client_id,
                                                                     redirect_uri=redirect_uri(), state=state))


def complete_install(principal: Principal, *, state: str, code: str | None, error: str | None,
                     browser: bool = False) -> str:
    """Slack's redirect back: spend the state, exchange the code, seal and store the token. Returns the page to
    send the browser to. Refused (a spent or expired state, a workspace in use, Slack down…): the error — or, for a
    browser (the redirect is a page navigation), the console's Slack page told why (`?slack=failed&code=…`) rather
    than a page of JSON."""
    try:
        return _complete_install(principal, state=state, code=code, error=error)
    except CallFunnelError as refused:
        if not browser:
            raise
        log = get_logger().warning if refused.status >= 500 else get_logger().info
        log("Slack install refused", extra={"tenant_id": principal.tenant_id, "code": refused.code,
                                            "reason": refused.message[:200]})
        return console_page("failed", refused.code)


def _complete_install(principal: Principal, *, state: str, code: str | None, error: str | None) -> str:
    if not code and not error:
        raise BadRequest("Slack's redirect carries neither a code nor an error", code="SLACK_OAUTH_CODE_MISSING",
                         field="code")
    _spend_state(principal, state)
    if error:
        get_logger().info("Slack install not authorized", extra={"tenant_id": principal.tenant_id,
                                                                 "reason": error[:64]})
        return console_page("cancelled" if error == "access_denied" else "failed")
    client_id, client_secret = _app_credentials()
    grant = _exchange(client_id, client_secret, code or "")
    sealed = crypto.encrypt(principal.tenant_id, grant.bot_token.encode())
    previous = repository.find_installation(principal.tenant_id)
    same_team = previous is not None and previous.team.id == grant.team_id
    installation = SlackInstallation(
        tenant_id=principal.tenant_id, team=SlackTeam(id=grant.team_id, name=grant.team_name),
        installed_by=_user_of(principal), installed_at=clock.now_seconds(),
        authorizing_slack_user=grant.authorizing_user_id, bot_user_id=grant.bot_user_id, scope=grant.scope,
        channel=previous.channel if same_team and previous else None)
    old_token = _open_token(principal.tenant_id) if previous and not same_team else None
    repository.save_installation(installation, sealed, replaces_team=previous.team.id if previous else None)
    if old_token:
        _revoke_quietly(principal.tenant_id, old_token)  # the workspace the tenant just left
    get_logger().info("Slack connected", extra={"tenant_id": principal.tenant_id, "team_id": grant.team_id,
                                                "user_id": installation.installed_by})
    count_business_event("SlackConnected")
    return console_page("connected")


def _spend_state(principal: Principal, state: str) -> None:
    user_id = _user_of(principal)
    pending = repository.find_oauth_state(principal.tenant_id, user_id)
    offered = _digest(state)
    if pending is None or not hmac.compare_digest(pending.state_hash, offered):
        raise BadRequest("This Slack authorization is not one you started (or a newer one replaced it); "
                         "click Add to Slack again", code="SLACK_OAUTH_STATE_INVALID", field="state")
    if pending.used_at is not None:
        raise BadRequest("This Slack authorization was already used", code="SLACK_OAUTH_STATE_USED", field="state")
    if pending.expires_at <= clock.now():
        raise BadRequest("This Slack authorization expired; click Add to Slack again",
                         code="SLACK_OAUTH_STATE_EXPIRED", field="state")
    if not repository.mark_oauth_state_used(principal.tenant_id, user_id, offered, clock.now_seconds()):
        raise BadRequest("This Slack authorization was already used", code="SLACK_OAUTH_STATE_USED", field="state")


def _exchange(client_id: str, client_secret: str, code: str):
    try:
        return slack_api().exchange_code(client_id=client_id, client_secret=client_secret, code=code,
                                         redirect_uri=redirect_uri())
    except SlackRefused as refused:
        if refused.slack_error in CODE_ERRORS:
            raise BadRequest(f"Slack refused the authorization code ({refused.slack_error})",
                             code="SLACK_OAUTH_CODE_REJECTED", field="code") from None
        if refused.slack_error in CLIENT_ERRORS:
            raise Unavailable(f"Slack refused this deployment's app credentials ({refused.slack_error})",
                              code="SLACK_NOT_CONFIGURED") from None
        raise


# --- The connection ---

def get_connection(principal: Principal) -> SlackConnection:
    return SlackConnection.of(repository.find_installation(principal.tenant_id))


def choose_channel(principal: Principal, channel: str) -> SlackConnection:
    """Approvals go to this channel: an id (`C0123ABCD`) or a name (`#approvals`), checked with Slack."""
    installation, token = _connected(principal.tenant_id)
    wanted = channel.strip()
    try:
        found = (slack_api().channel(token, wanted) if CHANNEL_ID.match(wanted)
                 else slack_api().channel_named(token, wanted.removeprefix("#").lower()))
    except SlackRefused as refused:
        raise _refusal(refused) from None
    if found is None:
        raise Invalid(f"No channel {wanted!r} that the CallFunnel app can see in {installation.team.name}; for a "
                      "private channel, invite the app to it first", code="SLACK_CHANNEL_NOT_FOUND", field="channel")
    if found.is_archived:
        raise Invalid(f"#{found.name} is archived", code="SLACK_CHANNEL_ARCHIVED", field="channel")
    updated = repository.set_channel(principal.tenant_id, installation.team.id,
                                     SlackChannelRef(id=found.id, name=found.name))
    if updated is None:
        raise Conflict("The Slack connection changed while this request ran; try again", code="SLACK_CHANGED")
    count_business_event("SlackChannelChosen")
    return SlackConnection.of(updated)


def disconnect(principal: Principal) -> SlackDisconnected:
    """Forget the workspace (its link to this tenant too), then ask Slack to revoke the token."""
    installation, token = _connected(principal.tenant_id)
    repository.delete_installation(principal.tenant_id, installation.team.id)
    revoked = _revoke_quietly(principal.tenant_id, token)
    get_logger().info("Slack disconnected", extra={"tenant_id": principal.tenant_id,
                                                   "team_id": installation.team.id, "revoked": revoked})
    count_business_event("SlackDisconnected")
    return SlackDisconnected(deleted=True, revoked=revoked)


# --- For approvals: where a tenant's messages go, and which tenant a workspace is ---

def connected_slack(tenant_id: int) -> ConnectedSlack | None:
    """The tenant's workspace with its token opened, or None when it has not connected one."""
    sealed = repository.find_sealed_installation(tenant_id)
    if sealed is None:
        return None
    installation, envelope = sealed
    return ConnectedSlack(tenant_id=tenant_id, team_id=installation.team.id,
                          channel_id=installation.channel.id if installation.channel else None,
                          token=crypto.decrypt(tenant_id, envelope).decode())


def tenant_of_team(team_id: str) -> int | None:
    """The tenant a Slack workspace is connected to (None: to none)."""
    return repository.tenant_of_team(team_id) if team_id else None


# --- helpers ---

def redirect_uri() -> str:
    return get_settings().public_base_url.rstrip("/") + CALLBACK_PATH


def console_page(outcome: str, code: str | None = None) -> str:
    why = f"&code={quote(code)}" if code else ""
    return f"{get_settings().public_base_url.rstrip('/')}{CONSOLE_SLACK_PAGE}?slack={outcome}{why}"


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def _user_of(principal: Principal) -> str:
    if not principal.user_id:  # the routes admit users only; an API key never reaches here
        raise BadRequest("Connecting Slack needs a logged-in user", code="USER_REQUIRED")
    return principal.user_id


def _app_credentials() -> tuple[str, str]:
    settings = get_settings()
    secret = settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else ""
    if not settings.slack_client_id or not secret:
        raise Unavailable("Slack is not configured on this deployment (no Slack app credentials)",
                          code="SLACK_NOT_CONFIGURED")
    return settings.slack_client_id, secret


def _connected(tenant_id: int) -> tuple[SlackInstallation, str]:
    sealed = repository.find_sealed_installation(tenant_id)
    if sealed is None:
        raise NotFound("This workspace has not connected Slack", code="SLACK_NOT_CONNECTED")
    installation, envelope = sealed
    return installation, crypto.decrypt(tenant_id, envelope).decode()


def _open_token(tenant_id: int) -> str | None:
    try:
        return _connected(tenant_id)[1]
    except CallFunnelError:
        return None


def _refusal(refused: SlackRefused) -> CallFunnelError:
    if refused.slack_error in TOKEN_ERRORS:
        return Conflict("Slack no longer accepts this workspace's token (the app was removed?); connect Slack "
                        "again", code="SLACK_RECONNECT_NEEDED")
    return refused


def _revoke_quietly(tenant_id: int, token: str) -> bool:
    """auth.revoke, best-effort: the connection is gone on our side whatever Slack answers."""
    try:
        slack_api().revoke(token)
    except SlackRefused as refused:
        # Already revoked or the app was uninstalled: the token is dead either way.
        return refused.slack_error in TOKEN_ERRORS
    except Upstream as failure:
        get_logger().warning("Slack token revocation failed", extra={"tenant_id": tenant_id,
                                                                     "reason": failure.message[:200]})
        return False
    return True
