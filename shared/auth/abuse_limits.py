"""Abuse limits on the routes anyone may call: they stop attackers, not offices.

- **Login failures**, counted per email and per source IP — never successful logins, so fifty colleagues
  behind one NAT address log in freely. From `LOGIN_FAILURES_ALLOWED` failures of an email (or
  `LOGIN_IP_FAILURES_ALLOWED` from an IP) on, each further failure locks that email / IP out for
  `LOGIN_LOCKOUT_BASE_SECONDS`, doubling with every failure after it, up to `LOGIN_FAILURE_WINDOW_SECONDS`;
  a window without failures forgets them. A locked-out attempt is refused (429 TOO_MANY_LOGIN_ATTEMPTS, with
  Retry-After) before the password is checked, even a right one: a password-spraying client learns nothing.
  A successful login forgets its email's failures (not its IP's: an attacker's own account must not reset it).
- **Signups** (`SIGNUPS_PER_IP` per `SIGNUP_WINDOW_SECONDS`) and **opener previews** (text-to-speech costs
  money: `PREVIEWS_PER_IP` per `PREVIEW_WINDOW_SECONDS`) are counted per source IP in fixed windows:
  429 RATE_LIMITED with Retry-After past the count.

Time is the real wall clock, not `shared.platform.clock`: the sandbox may move that clock, attackers keep
arriving in real time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.platform.errors import RateLimited
from shared.platform.settings import get_settings
from shared.platform.storage import keys

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

UNKNOWN_SOURCE = "unknown"


def _counters() -> Any:
    """The failure and window counters (shared.auth.repository, pynamodb), imported on first use as a route imports
    its service: these limits are middlewares of public handlers, whose cold import must not pay for pynamodb
    before their first request."""
    from shared.auth import repository

    return repository


def now_seconds() -> int:
    return int(time.time())


# --- Login failures ---

@dataclass(frozen=True)
class LoginAttempt:
    """One login's failure records, read before the password is checked."""

    email_key: str
    ip_key: str
    records: dict[str, tuple[int, int]] = field(default_factory=dict)  # key → (failures, last failure at)


def lockout_seconds(failures: int, allowed: int, base_seconds: int, window_seconds: int) -> int:
    """How long the last of `failures` locks its email / IP out: none below `allowed`, then base · 2^k."""
    if failures < allowed:
        return 0
    return min(window_seconds, base_seconds * 2 ** min(failures - allowed, 32))


def seconds_locked(failures: int, last_failure_at: int, allowed: int, now: int) -> int:
    settings = get_settings()
    lockout = lockout_seconds(failures, allowed, settings.login_lockout_base_seconds,
                              settings.login_failure_window_seconds)
    return max(0, last_failure_at + lockout - now)


def admit_login(email: str, source_ip: str | None) -> LoginAttempt:
    """429 while the email or the IP is locked out; else the attempt, to report its outcome on."""
    settings = get_settings()
    email_key, ip_key = keys.login_email_failures_pk(email), keys.login_ip_failures_pk(source_ip or UNKNOWN_SOURCE)
    attempt = LoginAttempt(email_key, ip_key, _counters().login_failures(email_key, ip_key))
    now = now_seconds()
    wait = max(seconds_locked(*attempt.records.get(key, (0, now)), allowed, now)
               for key, allowed in ((attempt.email_key, settings.login_failures_allowed),
                                    (attempt.ip_key, settings.login_ip_failures_allowed)))
    if wait > 0:
        raise RateLimited("Too many failed logins; try again after the Retry-After seconds",
                          code="TOO_MANY_LOGIN_ATTEMPTS", headers={"Retry-After": str(wait)})
    return attempt


def login_failed(attempt: LoginAttempt) -> None:
    window, now = get_settings().login_failure_window_seconds, now_seconds()
    for key in (attempt.email_key, attempt.ip_key):
        _counters().count_login_failure(key, now, window)


def login_succeeded(attempt: LoginAttempt) -> None:
    if attempt.email_key in attempt.records:  # a write only when there is something to forget
        _counters().forget_login_failures(attempt.email_key)


# --- Per-IP windows: signups and previews ---

def admit_from_ip(purpose: str, source_ip: str | None, allowed: int, window_seconds: int) -> None:
    now = now_seconds()
    window_start = now - now % window_seconds
    if _counters().count_in_window(purpose, source_ip or UNKNOWN_SOURCE, window_start, window_seconds) > allowed:
        retry_after = max(1, window_start + window_seconds - now)
        raise RateLimited(f"Too many {purpose} requests from this address; retry after the Retry-After seconds",
                          code="RATE_LIMITED", headers={"Retry-After": str(retry_after)})


def limit_signups_per_source_ip(app: "BaseRouter", next_middleware: "NextMiddleware") -> Any:
    """POST /auth/signup: SIGNUPS_PER_IP per SIGNUP_WINDOW_SECONDS."""
    settings = get_settings()
    admit_from_ip("signup", _source_ip(app), settings.signups_per_ip, settings.signup_window_seconds)
    return next_middleware(app)


def limit_previews_per_source_ip(app: "BaseRouter", next_middleware: "NextMiddleware") -> Any:
    """POST /workflows/preview-opening: PREVIEWS_PER_IP per PREVIEW_WINDOW_SECONDS."""
    settings = get_settings()
    admit_from_ip("preview", _source_ip(app), settings.previews_per_ip, settings.preview_window_seconds)
    return next_middleware(app)


def _source_ip(app: "BaseRouter") -> str | None:
    return app.current_event.request_context.http.source_ip
