"""What happens around every protected route, in one place: the tenant's rate limit, its headers on every
response (success or a raised error), and Idempotency-Key on state-changing POSTs.

`shared.auth.policies.requires` calls `admit` right after authentication (so a request that fails its
scope check or its validation still spends a token and still learns its limits) and `run_guarded` around
the route. Routes anyone may call have their own limits (shared.auth.abuse_limits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.platform.errors import CallFunnelError
from shared.platform.tenancy import TenantScoped as Principal  # any principal: the platform never imports auth

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

RATE_LIMIT_HEADERS = "rate_limit_headers"  # app.context key: this request's X-RateLimit-* headers


def admit(app: "BaseRouter", principal: "Principal") -> None:
    """Spend one of the tenant's tokens; raises RateLimited (429, with its headers) past the limit."""
    from shared.platform import rate_limits

    app.append_context(**{RATE_LIMIT_HEADERS: {}})
    decision = rate_limits.admit_tenant_request(principal.tenant_id)
    app.append_context(**{RATE_LIMIT_HEADERS: decision.headers()})


def rate_limit_headers(app: "BaseRouter") -> dict[str, str]:
    """The X-RateLimit-* headers of the request being served ({} before `admit`, or on a public route)."""
    return dict(app.context.get(RATE_LIMIT_HEADERS) or {})


def run_guarded(app: "BaseRouter", next_middleware: "NextMiddleware", check_access: Callable[..., "Principal"],
                principal_key: str, needs_write: bool) -> "Response":
    """Check access, run the route (once per Idempotency-Key when it changes state), and put the rate-limit
    headers on whatever comes out — the route's response or the error it raised."""
    from shared.platform.http.idempotent_routes import applies_to, run_once_per_key

    try:
        principal = check_access(app)
        app.append_context(**{principal_key: principal})
        if applies_to(app.current_event.request_context.http.method, needs_write):
            response = run_once_per_key(app, next_middleware, principal)
        else:
            response = next_middleware(app)
    except CallFunnelError as error:
        error.headers = {**rate_limit_headers(app), **error.headers}
        raise
    response.headers.update(rate_limit_headers(app))
    return response

