"""Cross-site request forgery: a state-changing request authenticated by the `cf_session` cookie must prove
it comes from our own pages, twice over (OWASP's defence in depth for cookie-authenticated APIs):

1. **Same origin.** `Origin` is this stack's own origin (`PUBLIC_BASE_URL`) or one of `CSRF_TRUSTED_ORIGINS`;
   without an `Origin`, `Sec-Fetch-Site: same-origin`. Browsers set both headers themselves and never let a
   page forge them.
2. **Double-submit token.** Login sets a readable `cf_csrf` cookie beside the HttpOnly session cookie; the
   page echoes it in `X-CSRF-Token`. A foreign page can neither read our cookie nor set our header. The token
   is an HMAC of the session token's id (`jti`) under the JWT signing key, so a cookie planted by a sibling
   subdomain (cookie tossing) does not match the victim's session.

Bearer-authenticated requests (API key, JWT in `Authorization`) are not subject to it: a browser never
attaches those by itself. GET/HEAD/OPTIONS change nothing and are never checked.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from urllib.parse import urlsplit

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from shared.platform.errors import Forbidden
from shared.platform.settings import get_settings

CSRF_COOKIE = "cf_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class RequestProvenance:
    """What a request says about where it comes from (headers a browser sets) and the token it echoes."""

    method: str
    origin: str | None
    sec_fetch_site: str | None
    header_token: str | None
    cookie_token: str | None


def csrf_token(session_token_id: str) -> str:
    """The session's CSRF token: HMAC-SHA256(signing key, jti), URL-safe base64."""
    from shared.auth.tokens import signing_key

    digest = hmac.new(signing_key().encode(), f"cf_csrf:{session_token_id}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def csrf_cookie(session_token_id: str, max_age_seconds: int) -> Cookie:
    """Readable by the page's scripts (not HttpOnly), Secure and SameSite=Lax like the session cookie."""
    return Cookie(name=CSRF_COOKIE, value=csrf_token(session_token_id), path="/", secure=True, http_only=False,
                  same_site=SameSite.LAX_MODE, max_age=max_age_seconds)


def expired_csrf_cookie() -> Cookie:
    return Cookie(name=CSRF_COOKIE, value="", path="/", secure=True, http_only=False,
                  same_site=SameSite.LAX_MODE, max_age=0)


def ensure_same_origin_write(request: RequestProvenance, session_token_id: str | None) -> None:
    """For a cookie-authenticated request: 403 CSRF_REJECTED unless it is safe, same-origin and carries the
    session's token in both the header and the cookie."""
    if request.method.upper() in SAFE_METHODS:
        return
    if not _is_same_origin(request):
        raise _rejected("This request did not come from a trusted origin")
    expected = csrf_token(session_token_id) if session_token_id else ""
    header, cookie = request.header_token or "", request.cookie_token or ""
    # Constant-time comparisons: the token must not leak one byte at a time.
    if not (expected and hmac.compare_digest(header.encode(), expected.encode())
            and hmac.compare_digest(cookie.encode(), expected.encode())):
        raise _rejected(f"Send the {CSRF_COOKIE} cookie's value in the {CSRF_HEADER} header")


def trusted_origins() -> frozenset[str]:
    settings = get_settings()
    listed = [settings.public_base_url, *settings.csrf_trusted_origins.split(",")]
    return frozenset(origin for origin in map(origin_of, listed) if origin)


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]`, lower-cased, without the scheme's default port; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    suffix = "" if port in (None, _DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"


def _is_same_origin(request: RequestProvenance) -> bool:
    if request.origin is not None:  # "null" (sandboxed frames, file:) never matches
        origin = origin_of(request.origin)
        return origin is not None and origin in trusted_origins()
    return (request.sec_fetch_site or "").strip().lower() == "same-origin"


def _rejected(message: str) -> Forbidden:
    return Forbidden(f"Cross-site request refused: {message}", code="CSRF_REJECTED")
