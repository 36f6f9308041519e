"""The browser session cookies: `cf_session` (HttpOnly, Secure, SameSite=Lax, for the whole site) and, always
beside it, its readable CSRF token `cf_csrf` (shared.auth.csrf). Set and cleared only together."""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from shared.auth.csrf import csrf_cookie, expired_csrf_cookie
from shared.auth.tokens import read_token

SESSION_COOKIE = "cf_session"


def session_cookies(token: str, max_age_seconds: int) -> list[Cookie]:
    """The session cookie and its CSRF cookie (bound to the token's id)."""
    return [session_cookie(token, max_age_seconds), csrf_cookie(read_token(token).token_id, max_age_seconds)]


def expired_session_cookies() -> list[Cookie]:
    return [session_cookie("", 0), expired_csrf_cookie()]


def session_cookie(token: str, max_age_seconds: int) -> Cookie:
    return Cookie(name=SESSION_COOKIE, value=token, path="/", secure=True, http_only=True,
                  same_site=SameSite.LAX_MODE, max_age=max_age_seconds)
