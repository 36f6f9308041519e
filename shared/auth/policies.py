"""Per-route access policies, declared on the route itself.

    @router.get("/billing/balance", middlewares=[requires(Scope.READ)])
    def get_balance() -> Balance:
        return billing.get_balance(current_principal(router))

Public routes declare nothing. `users_only=True` refuses API keys (account self-management and
anything that needs a human identity in the audit trail). Scopes: read = GET, write = read +
POST/PUT, admin = write + destructive actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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
    for cookie in event.cookies or []:
        name, _, value = cookie.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return value
    return None


def requires(scope: Scope, *, users_only: bool = False) -> Callable[..., Any]:
    def check_access(app: "BaseRouter") -> Principal:
        # Imported on the first protected request: public routes never load the storage layer.
        from shared.auth.authentication import authenticate

        principal = authenticate(credentials_of(app.current_event))
        if users_only and not principal.is_user:
            raise Forbidden("This endpoint needs a logged-in user (cookie or JWT); API keys are refused",
                            code="USER_REQUIRED")
        if principal.scope < scope:
            who = "API key" if principal.kind == "api_key" else "role"
            raise Forbidden(f"This {who} lacks the '{scope.label}' scope", code="INSUFFICIENT_SCOPE")
        return principal

    def authorize(app: "BaseRouter", next_middleware: "NextMiddleware") -> Any:
        app.append_context(**{PRINCIPAL: check_access(app)})
        return next_middleware(app)

    authorize.__name__ = f"requires_{scope.label}{'_user' if users_only else ''}"
    # Powertools validates a request before route middlewares run; the error mapper calls this first so
    # a caller without access learns that (401/403), not how its body was malformed (400).
    authorize.check_access = check_access  # type: ignore[attr-defined]
    return authorize


def current_principal(router: "BaseRouter") -> Principal:
    return router.context[PRINCIPAL]
