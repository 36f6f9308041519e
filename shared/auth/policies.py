"""Per-route access policies, declared on the route itself.

    @router.get("/billing/balance", middlewares=[requires(Scope.READ)])
    def get_balance() -> Balance:
        return billing.get_balance(current_principal(router))

Public routes declare nothing here: they are listed in `PUBLIC_ROUTES` (or `SIGNED_ROUTES` when the
request's signature is the authentication), so a route without any policy is detectable (`route_policies`).
`users_only=True` refuses API keys (account self-management and anything that needs a human identity in
the audit trail). Scopes: read = GET, write = read +
POST/PUT, admin = write + destructive actions.

A protected request goes: authentication → CSRF (a write authenticated by the `cf_session` cookie must prove it
comes from our own page: `shared.auth.csrf`) → the tenant's rate limit → the route's policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from shared.auth.csrf import CSRF_COOKIE, CSRF_HEADER, RequestProvenance, ensure_same_origin_write
from shared.auth.principal import Credentials, Principal, Scope
from shared.auth.session_cookie import SESSION_COOKIE
from shared.platform.errors import Forbidden

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

PRINCIPAL = "principal"


def credentials_of(event: "APIGatewayProxyEventV2") -> Credentials:
    authorization = event.headers.get("authorization") or ""
    scheme, _, value = authorization.strip().partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" and value.strip() else None
    return Credentials(bearer=bearer, session_cookie=session_cookie_of(event),
                       source_ip=event.request_context.http.source_ip)


def session_cookie_of(event: "APIGatewayProxyEventV2") -> str | None:
    return cookie_of(event, SESSION_COOKIE)


def cookie_of(event: "APIGatewayProxyEventV2", cookie_name: str) -> str | None:
    for cookie in event.cookies or []:
        name, _, value = cookie.strip().partition("=")
        if name == cookie_name and value:
            return value
    return None


def provenance_of(event: "APIGatewayProxyEventV2") -> RequestProvenance:
    headers = event.headers or {}
    return RequestProvenance(method=event.request_context.http.method, origin=headers.get("origin"),
                             sec_fetch_site=headers.get("sec-fetch-site"),
                             header_token=headers.get(CSRF_HEADER.lower()), cookie_token=cookie_of(event, CSRF_COOKIE))


def ensure_cookie_logout_is_same_origin(event: "APIGatewayProxyEventV2") -> None:
    """POST /auth/logout is public (it revokes whatever it is called with), but called with the session cookie
    alone it still changes state — it signs the browser out, with `everywhere=true` every device of the user —
    so it proves it comes from our own page like any cookie write (403 CSRF_REJECTED). A cookie that is no live
    session revokes nothing and needs no proof."""
    from shared.auth.tokens import read_token
    from shared.platform.errors import Unauthorized

    credentials = credentials_of(event)
    if not credentials.authenticates_by_cookie or not credentials.session_cookie:
        return
    try:
        claims = read_token(credentials.session_cookie)
    except Unauthorized:
        return
    ensure_same_origin_write(provenance_of(event), claims.token_id)


def requires(scope: Scope, *, users_only: bool = False) -> Callable[..., Any]:
    def check_access(app: "BaseRouter") -> Principal:
        # Imported on the first protected request: public routes never load the storage layer.
        from shared.auth.authentication import authenticate
        from shared.platform.http.request_guards import admit

        credentials = credentials_of(app.current_event)
        principal = authenticate(credentials)
        if credentials.authenticates_by_cookie:  # a browser attaches cookies by itself: prove it was our page
            ensure_same_origin_write(provenance_of(app.current_event), principal.token_id)
        admit(app, principal)  # the tenant's rate limit: 429 past it; its headers go on every response
        if users_only and not principal.is_user:
            raise Forbidden("This endpoint needs a logged-in user (cookie or JWT); API keys are refused",
                            code="USER_REQUIRED")
        if principal.scope < scope:
            who = "API key" if principal.kind == "api_key" else "role"
            raise Forbidden(f"This {who} lacks the '{scope.label}' scope", code="INSUFFICIENT_SCOPE")
        return principal

    def authorize(app: "BaseRouter", next_middleware: "NextMiddleware") -> Any:
        from shared.platform.http.request_guards import run_guarded

        # Rate-limit headers on the response or the raised error; Idempotency-Key on state-changing POSTs.
        return run_guarded(app, next_middleware, check_access, PRINCIPAL, needs_write=scope >= Scope.WRITE)

    authorize.__name__ = f"requires_{scope.label}{'_user' if users_only else ''}"
    # Powertools validates a request before route middlewares run; the error mapper calls this first so
    # a caller without access learns that (401/403), not how its body was malformed (400).
    authorize.check_access = check_access  # type: ignore[attr-defined]
    # Read by `route_policies` (OpenAPI security, the security matrix): the route's policy, discoverable.
    authorize.scope = scope  # type: ignore[attr-defined]
    authorize.users_only = users_only  # type: ignore[attr-defined]
    return authorize


def current_principal(router: "BaseRouter") -> Principal:
    return router.context[PRINCIPAL]


# --- Discoverable policies: every route is either `requires(...)`, public or signed, and nothing else. ---

#: Routes anyone may call, each with the reason it needs no credential. A route that is in neither this map,
#: `SIGNED_ROUTES` nor declares `requires(...)` is unclassified: `route_policies` refuses it and the security
#: matrix (tests/contract/test_security_matrix.py) fails.
PUBLIC_ROUTES: dict[str, str] = {
    "GET /healthz": "load balancers and status pages probe it",
    "GET /openapi.json": "the API's own documentation",
    "GET /docs": "the API's own documentation",
    "POST /auth/signup": "creates the account the credentials will belong to",
    "GET /auth/verify-email": "the emailed token is the credential",
    "POST /auth/login": "exchanges a password for a session",
    "POST /auth/logout": "revokes whichever session it is called with, if any",
    "GET /voices": "the public voice catalogue",
    "POST /workflows/preview-opening": "a stateless text-to-speech preview",
    "GET /objections": "the shared objection library, not tenant-scoped",
    "GET /onboarding/providers": "the catalogue of providers and their fields",
}

#: Public routes whose authentication is the caller's signature over the request (verified in the route).
SIGNED_ROUTES: dict[str, str] = {
    "POST /billing/webhooks/payment": "X-CallFunnel-Signature: HMAC-SHA256 over `{timestamp}.{raw body}`",
    "POST /slack/interactivity": "X-Slack-Signature: v0 HMAC-SHA256 with X-Slack-Request-Timestamp",
    "POST /telephony/{provider}/voice/{tenant_id}/{call_id}": "X-Twilio-Signature (Exotel: the URL token)",
    "GET /telephony/exotel/voicebot": "CustomField: the call's voice webhook with its URL token (Exotel)",
    "POST /telephony/{provider}/amd/{tenant_id}/{call_id}": "X-Twilio-Signature (Exotel: the URL token)",
    "POST /telephony/{provider}/status/{tenant_id}/{call_id}": "X-Twilio-Signature (Exotel: the URL token)",
    "POST /telephony/{provider}/stream-end/{tenant_id}/{call_id}": "X-Twilio-Signature",
    "POST /telephony/{provider}/whisper/{tenant_id}/{call_id}": "X-Twilio-Signature",
    "POST /telephony/{provider}/dial-result/{tenant_id}/{call_id}": "X-Twilio-Signature",
    "POST /telephony/{provider}/transfer-recording/{tenant_id}/{call_id}": "X-Twilio-Signature",
}


class UnclassifiedRoute(LookupError):
    """A route that declares no `requires(...)` and is not listed as public or signed (or is both)."""


@dataclass(frozen=True)
class RoutePolicy:
    """Who may call a route: `public`, `signed` (the request's signature) or `protected` by a scope."""

    access: Literal["public", "signed", "protected"]
    scope: Scope | None = None
    users_only: bool = False
    reason: str = ""

    @property
    def needs_credentials(self) -> bool:
        return self.access == "protected"


def route_policies(app: "BaseRouter") -> dict[tuple[str, str], RoutePolicy]:
    """Every route of a resolver, `(METHOD, "/path/{param}")` → its policy; raises `UnclassifiedRoute`."""
    policies: dict[tuple[str, str], RoutePolicy] = {}
    for route in [*app._static_routes, *app._dynamic_routes]:  # type: ignore[attr-defined]
        path = re.sub(r"<(\w+)>", r"{\1}", route.path)
        for method in route.method.split(","):
            policies[(method.strip().upper(), path)] = _policy_of_route(method.strip().upper(), path,
                                                                       route.middlewares or [])
    return policies


def _policy_of_route(method: str, path: str, middlewares: list[Any]) -> RoutePolicy:
    route_key = f"{method} {path}"
    guards = [middleware for middleware in middlewares if hasattr(middleware, "check_access")]
    declared = [access for access, routes in (("public", PUBLIC_ROUTES), ("signed", SIGNED_ROUTES))
                if route_key in routes]
    if len(guards) + len(declared) != 1:
        found = [*(guard.__name__ for guard in guards), *declared] or ["nothing"]
        raise UnclassifiedRoute(f"{route_key} must declare exactly one access policy — `requires(...)` on the "
                                f"route, or an entry in PUBLIC_ROUTES / SIGNED_ROUTES — but has {', '.join(found)}")
    if declared:
        access = declared[0]
        reason = (PUBLIC_ROUTES if access == "public" else SIGNED_ROUTES)[route_key]
        return RoutePolicy(access=access, reason=reason)  # type: ignore[arg-type]
    guard = guards[0]
    return RoutePolicy(access="protected", scope=guard.scope, users_only=guard.users_only)
