"""CSRF on cookie sessions, through the API Gateway adapter on moto: a cookie-authenticated write must come from
a trusted origin AND echo the session's `cf_csrf` token in `X-CSRF-Token`; bearer requests are not subject to it."""

from __future__ import annotations

import pytest

from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration
OWN_ORIGIN = "http://testserver"  # PUBLIC_BASE_URL of the integration environment
FOREIGN_ORIGIN = "https://evil.example"


def _browser_login(api):
    """Log in as a browser would: the two cookies the response sets, by name."""
    account = sign_up_and_log_in(api)
    login = api.post("/auth/login", {"email": account.email, "password": account.password})
    cookies = dict(cookie.split(";", 1)[0].split("=", 1) for cookie in login.set_cookies)
    return account, cookies


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _mint_key(api, cookies, headers):
    return api.post("/api-keys", {"name": "from the console", "scope": "admin"}, cookie=_cookie_header(cookies),
                    headers=headers)


def test_login_sets_a_readable_csrf_cookie_beside_the_session_cookie(api):
    account = sign_up_and_log_in(api)
    login = api.post("/auth/login", {"email": account.email, "password": account.password})
    cookies = dict(cookie.split(";", 1)[0].split("=", 1) for cookie in login.set_cookies)

    csrf = [cookie for cookie in login.set_cookies if cookie.startswith("cf_csrf=")]
    assert len(csrf) == 1 and "HttpOnly" not in csrf[0]
    assert "Secure" in csrf[0] and "SameSite=Lax" in csrf[0] and "Path=/" in csrf[0]
    assert cookies["cf_csrf"] and cookies["cf_csrf"] != cookies["cf_session"]


def test_a_foreign_origin_cannot_mint_an_api_key_with_the_cookie(api):
    _, cookies = _browser_login(api)

    reply = _mint_key(api, cookies, {"origin": FOREIGN_ORIGIN, "x-csrf-token": cookies["cf_csrf"]})

    assert reply.status == 403 and reply.body["code"] == "CSRF_REJECTED" and reply.body["error"]


@pytest.mark.parametrize("token_header", [None, "", "not-the-token"])
def test_a_same_origin_write_without_the_sessions_token_is_refused(api, token_header):
    _, cookies = _browser_login(api)
    headers = {"origin": OWN_ORIGIN} | ({"x-csrf-token": token_header} if token_header is not None else {})

    reply = _mint_key(api, cookies, headers)

    assert (reply.status, reply.body["code"]) == (403, "CSRF_REJECTED")


def test_a_token_planted_in_the_cookie_and_header_alike_must_still_be_the_sessions(api):
    # Given an attacker on a sibling subdomain who can set a cf_csrf cookie and knows its value
    _, cookies = _browser_login(api)
    _, other_cookies = _browser_login(api)
    planted = {"cf_session": cookies["cf_session"], "cf_csrf": other_cookies["cf_csrf"]}

    reply = _mint_key(api, planted, {"sec-fetch-site": "same-origin", "x-csrf-token": other_cookies["cf_csrf"]})

    assert (reply.status, reply.body["code"]) == (403, "CSRF_REJECTED")


@pytest.mark.parametrize("provenance", [{"origin": OWN_ORIGIN}, {"sec-fetch-site": "same-origin"}])
def test_our_own_page_writes_with_the_cookie_and_its_token(api, provenance):
    _, cookies = _browser_login(api)

    reply = _mint_key(api, cookies, {**provenance, "x-csrf-token": cookies["cf_csrf"]})

    assert reply.status == 201, reply.body


def test_a_foreign_origin_wins_over_sec_fetch_site(api):
    _, cookies = _browser_login(api)

    reply = _mint_key(api, cookies, {"origin": FOREIGN_ORIGIN, "sec-fetch-site": "same-origin",
                                     "x-csrf-token": cookies["cf_csrf"]})

    assert (reply.status, reply.body["code"]) == (403, "CSRF_REJECTED")


def test_reads_with_the_cookie_are_never_checked(api):
    _, cookies = _browser_login(api)

    assert api.get("/auth/me", cookie=_cookie_header(cookies), headers={"origin": FOREIGN_ORIGIN}).status == 200


def test_a_bearer_request_is_not_subject_to_it_even_beside_a_cookie(api):
    account, cookies = _browser_login(api)

    reply = api.post("/api-keys", {"name": "script", "scope": "read"}, token=account.token,
                     cookie=_cookie_header(cookies), headers={"origin": FOREIGN_ORIGIN})

    assert reply.status == 201, reply.body


def test_a_configured_origin_is_trusted(api, monkeypatch):
    from shared.platform.settings import reset_settings

    monkeypatch.setenv("CSRF_TRUSTED_ORIGINS", "https://console.example.com, http://localhost:5173")
    reset_settings()
    _, cookies = _browser_login(api)

    reply = _mint_key(api, cookies, {"origin": "http://localhost:5173", "x-csrf-token": cookies["cf_csrf"]})

    assert reply.status == 201, reply.body


def test_logout_clears_the_csrf_cookie_too(api):
    _, cookies = _browser_login(api)

    logout = api.post("/auth/logout", cookie=_cookie_header(cookies),
                      headers={"origin": OWN_ORIGIN, "x-csrf-token": cookies["cf_csrf"]})

    assert any(cookie.startswith("cf_csrf=;") and "Max-Age=0" in cookie for cookie in logout.set_cookies)


def test_a_foreign_origin_cannot_log_the_cookie_session_out(api):
    _, cookies = _browser_login(api)

    refused = api.post("/auth/logout", cookie=_cookie_header(cookies), headers={"origin": FOREIGN_ORIGIN},
                       query="everywhere=true")
    still_in = api.get("/auth/me", cookie=_cookie_header(cookies))

    assert (refused.status, refused.body["code"]) == (403, "CSRF_REJECTED")
    assert still_in.status == 200
