"""The browser session cookie: `cf_session`, HttpOnly, Secure, SameSite=Lax, for the whole site."""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

SESSION_COOKIE = "cf_session"


def session_cookie(token: str, max_age_seconds: int) -> Cookie:
    return Cookie(name=SESSION_COOKIE, value=token, path="/", secure=True, http_only=True,
                  same_site=SameSite.LAX_MODE, max_age=max_age_seconds)


def expired_session_cookie() -> Cookie:
    return session_cookie("", 0)
