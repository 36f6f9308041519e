from datetime import timedelta

import pytest

from shared.accounts import repository as accounts
from shared.accounts.models import Tenant, User
from shared.platform import clock
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration


def test_login_returns_a_token_and_sets_a_secure_session_cookie(api):
    account = sign_up_and_log_in(api)

    login = api.post("/auth/login", {"email": account.email, "password": account.password})

    assert login.status == 200 and login.body["expires_in"] == 7 * 24 * 3600
    assert login.body["user"]["email"] == account.email and login.body["tenant"]["id"] == account.tenant_id
    cookie = login.set_cookies[0]
    assert cookie.startswith("cf_session=") and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=Lax" in cookie and "Path=/" in cookie


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(api):
    account = sign_up_and_log_in(api)

    wrong = api.post("/auth/login", {"email": account.email, "password": "not the password"})
    unknown = api.post("/auth/login", {"email": "nobody@example.com", "password": "not the password"})

    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body == {"error": "Email or password is incorrect", "code": "INVALID_CREDENTIALS"}


def test_repeated_failures_are_rate_limited_with_retry_after(api, monkeypatch):
    monkeypatch.setenv("LOGIN_FAILURES_ALLOWED", "3")
    from shared.platform.settings import reset_settings

    reset_settings()
    account = sign_up_and_log_in(api)
    for _ in range(3):
        api.post("/auth/login", {"email": account.email, "password": "guessing wrong"})

    blocked = api.post("/auth/login", {"email": account.email, "password": account.password})

    assert blocked.status == 429 and blocked.body["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
    assert int(blocked.headers["retry-after"]) > 0


def seed_account(email, *, password_hash, user_status="active", tenant_status="active"):
    now = clock.now_seconds()
    tenant = Tenant(id=accounts.allocate_tenant_id(), name="Seeded", status=tenant_status, plan_tier="free",
                    country="US", currency="USD", created_at=now)
    user = User(id="usr_seeded", tenant_id=tenant.id, email=email, full_name=None, role="owner",
                status=user_status, email_verified=True, email_verified_at=now,
                auth_provider="password" if password_hash else "google", created_at=now)
    accounts.create_account(tenant, user, password_hash=password_hash, verify_token_hash="seeded",
                            verify_expires_at=now, add_writes=lambda tx: None)


def test_an_oauth_only_account_cannot_log_in_with_a_password(api):
    seed_account("sso@example.com", password_hash=None)

    refused = api.post("/auth/login", {"email": "sso@example.com", "password": "anything at all"})

    assert refused.status == 400 and refused.body["code"] == "OAUTH_ONLY_ACCOUNT"


@pytest.mark.parametrize(("user_status", "tenant_status"), [("disabled", "active"), ("active", "suspended")])
def test_an_inactive_user_or_workspace_gets_403(api, user_status, tenant_status):
    from shared.auth.passwords import hash_password

    seed_account("inactive@example.com", password_hash=hash_password("right password"),
                 user_status=user_status, tenant_status=tenant_status)

    refused = api.post("/auth/login", {"email": "inactive@example.com", "password": "right password"})

    assert refused.status == 403 and refused.body["code"] == "ACCOUNT_INACTIVE"


def test_me_answers_for_bearer_token_and_for_the_cookie(api):
    account = sign_up_and_log_in(api)

    by_token = api.get("/auth/me", token=account.token)
    by_cookie = api.get("/auth/me", cookie=f"cf_session={account.token}")

    assert by_token.status == by_cookie.status == 200
    assert by_token.body["user"]["id"] == by_cookie.body["user"]["id"] == account.user_id
    assert by_token.body["tenant"]["id"] == account.tenant_id and by_token.body["expires_at"]


def test_logout_revokes_the_presented_token_and_clears_the_cookie(api):
    account = sign_up_and_log_in(api)
    other_device = api.post("/auth/login", {"email": account.email, "password": account.password}).body["token"]

    logout = api.post("/auth/logout", token=account.token)

    assert logout.status == 200 and logout.body["revoked"] is True and "Max-Age=0" in logout.set_cookies[0]
    refused = api.get("/auth/me", token=account.token)
    assert refused.status == 401 and refused.body["code"] == "TOKEN_REVOKED"
    assert api.get("/auth/me", token=other_device).status == 200


def test_logout_everywhere_revokes_every_outstanding_token(api):
    account = sign_up_and_log_in(api)
    other_device = api.post("/auth/login", {"email": account.email, "password": account.password}).body["token"]

    api.request("POST", "/auth/logout", token=account.token, query="everywhere=true")

    for token in (account.token, other_device):
        assert api.get("/auth/me", token=token).body["code"] == "TOKEN_REVOKED"
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 200


def test_revocations_of_expired_tokens_are_forgotten(api):
    from shared.accounts import repository as accounts

    account = sign_up_and_log_in(api)
    api.post("/auth/logout", token=account.token)
    clock.freeze(clock.now() + timedelta(days=8))
    fresh = api.post("/auth/login", {"email": account.email, "password": account.password}).body["token"]

    api.post("/auth/logout", token=fresh)

    credentials = accounts.get_credentials(account.tenant_id, account.user_id)
    assert len(credentials.revoked_token_ids) == 1


def test_an_expired_token_is_refused(api):
    account = sign_up_and_log_in(api)
    clock.freeze(clock.now() + timedelta(days=7, seconds=1))

    refused = api.get("/auth/me", token=account.token)

    assert refused.status == 401 and refused.body["code"] == "TOKEN_EXPIRED"
