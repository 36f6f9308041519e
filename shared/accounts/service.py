"""Signup, email verification, login, logout and "who am I"."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import quote

from shared.accounts import repository
from shared.accounts.models import EmailVerified, Session, SignupResult, Tenant, User, WhoAmI
from shared.accounts.workspace_names import workspace_name
from shared.auth import abuse_limits, passwords, tokens
from shared.auth.principal import Principal
from shared.billing import plans
from shared.billing import repository as wallets
from shared.billing.service import trial_wallet
from shared.platform import clock
from shared.platform.errors import BadRequest, Forbidden, NotFound, Unauthorized
from shared.platform.ids import new_id, url_token
from shared.platform.observability import count_business_event, get_logger
from shared.platform.settings import get_settings
from shared.providers.email.port import Email
from shared.providers.email.selection import get_email_sender

#: The emailed link opens the console's page, which confirms through `GET /auth/verify-email` (API clients call that
#: endpoint with the token themselves). The token rides in the URL's fragment: browsers never send it to a server,
#: nor in a Referer.
CONSOLE_VERIFY_PAGE = "/#/verify-email"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_up(*, email: str, password: str, full_name: str | None, country: str | None) -> SignupResult:
    now = clock.now_seconds()
    country = country or "US"
    currency = plans.currency_for_country(country)
    tenant = Tenant(id=repository.allocate_tenant_id(), name=workspace_name(email, full_name),
                    status="active", plan_tier=plans.FREE_TIER, country=country, currency=currency,
                    created_at=now)
    owner = User(id=new_id("usr"), tenant_id=tenant.id, email=email, full_name=full_name, role="owner",
                 status="active", email_verified=False, email_verified_at=None, auth_provider="password",
                 created_at=now)
    wallet, trial_credit = trial_wallet(tenant.id, currency, now)
    verify_token = url_token()
    repository.create_account(
        tenant, owner, password_hash=passwords.hash_password(password),
        verify_token_hash=_token_hash(verify_token),
        verify_expires_at=now + timedelta(seconds=get_settings().verify_token_ttl_seconds),
        add_writes=lambda tx: wallets.open_wallet(tx, wallet, trial_credit),
    )
    count_business_event("Signup")
    get_logger().info("tenant signed up", extra={"tenant_id": tenant.id, "user_id": owner.id})
    return SignupResult(tenant=tenant, user=owner, verify_email_sent=_send_verification(owner, verify_token))


def _send_verification(user: User, token: str) -> bool:
    link = f"{get_settings().public_base_url.rstrip('/')}{CONSOLE_VERIFY_PAGE}?token={quote(token)}"
    text = (f"Welcome to CallFunnel!\n\nConfirm your email address within 24 hours:\n{link}\n\n"
            "If you did not sign up, ignore this message.")
    return get_email_sender().send(Email(to=user.email, subject="Confirm your CallFunnel email", text=text))


def verify_email(token: str) -> EmailVerified:
    token_hash = _token_hash(token)
    verification = repository.get_verification(token_hash)
    if verification is None:
        raise BadRequest("Unknown verification token", code="INVALID_TOKEN", field="token")
    if verification.verified_at is None:
        now = clock.now_seconds()
        if verification.expires_at <= now:
            raise BadRequest("This verification link has expired; request a new one", code="TOKEN_EXPIRED",
                             field="token")
        repository.mark_email_verified(token_hash, verification, now)
        verification = repository.get_verification(token_hash) or verification
    return EmailVerified(ok=True, email=verification.email, verified_at=verification.verified_at)


def log_in(*, email: str, password: str, source_ip: str | None = None) -> Session:
    attempt = abuse_limits.admit_login(email, source_ip)  # 429 while the email or the IP is locked out
    invalid = Unauthorized("Email or password is incorrect", code="INVALID_CREDENTIALS")
    login = repository.find_login(email)
    credentials = repository.get_credentials(*login) if login else None
    if credentials is None:
        passwords.burn_equivalent_time()
        abuse_limits.login_failed(attempt)
        raise invalid
    if credentials.password_hash is None:
        raise BadRequest(f"This account signs in with {credentials.user.auth_provider.title()}; use that instead",
                         code="OAUTH_ONLY_ACCOUNT")
    if not passwords.password_matches(credentials.password_hash, password):
        abuse_limits.login_failed(attempt)
        raise invalid
    abuse_limits.login_succeeded(attempt)
    user = credentials.user
    tenant = repository.get_tenant(user.tenant_id)
    if user.status != "active" or tenant is None or tenant.status != "active":
        raise Forbidden("This account is inactive; contact your workspace owner", code="ACCOUNT_INACTIVE")
    issued = tokens.issue_token(user_id=user.id, tenant_id=user.tenant_id, role=user.role, email=user.email,
                                token_version=credentials.token_version)
    count_business_event("Login")
    return Session(token=issued.token, expires_in=issued.expires_in, expires_at=issued.expires_at, user=user,
                   tenant=tenant)


def log_out(session_tokens: list[str], *, everywhere: bool = False) -> bool:
    """Revoke the session token(s) presented (bearer and/or cookie), or with `everywhere` every
    outstanding token of that user. False when no live session token was presented."""
    revoked = False
    for token in dict.fromkeys(session_tokens):
        try:
            claims = tokens.read_token(token)
        except Unauthorized:
            continue
        if everywhere:
            repository.revoke_user_tokens(claims.tenant_id, claims.user_id)
        else:
            repository.revoke_token(claims.tenant_id, claims.user_id, claims.token_id,
                                    int(claims.expires_at.timestamp()), clock.epoch_seconds())
        revoked = True
    return revoked


def who_am_i(principal: Principal) -> WhoAmI:
    tenant = repository.get_tenant(principal.tenant_id)
    if tenant is None:
        raise NotFound("Workspace not found", code="TENANT_NOT_FOUND")
    user = principal.user  # read with the session's credential (strongly consistent), in this very request
    if user is None and principal.user_id:
        credentials = repository.get_credentials(principal.tenant_id, principal.user_id)
        user = credentials.user if credentials else None
    return WhoAmI(user=user, tenant=tenant, expires_at=principal.expires_at, auth=principal.kind,
                  scope=principal.scope.label)
