"""Auth routes: signup, email verification, login, logout, me.

Services are imported inside the routes: each route loads only the storage and crypto it uses, and
the module itself stays cheap to import (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.accounts.models import Country, EmailVerified, Session, SignupResult, WhoAmI
from shared.auth.abuse_limits import limit_signups_per_source_ip
from shared.auth.passwords import MIN_PASSWORD_LENGTH
from shared.auth.policies import credentials_of, current_principal, ensure_cookie_logout_is_same_origin, requires
from shared.auth.principal import Scope
from shared.auth.session_cookie import expired_session_cookies, session_cookies
from shared.platform.http.input_types import Email, PrintableText

router = APIGatewayHttpRouter()
TAGS = ["Auth"]



class SignupRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: Email
    password: Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)]
    full_name: Annotated[str | None, Field(max_length=120), PrintableText] = None
    country: Country | None = None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]


class LoggedOut(BaseModel):
    ok: bool
    revoked: bool


@router.post("/auth/signup", summary="Create a tenant and its owner; credits the trial", tags=TAGS,
             status_code=201, middlewares=[limit_signups_per_source_ip])
def sign_up(body: Annotated[SignupRequest, Body()]) -> SignupResult:
    from shared.accounts import service

    return service.sign_up(email=body.email, password=body.password, full_name=body.full_name,
                           country=body.country)


@router.get("/auth/verify-email", summary="Confirm an email address (idempotent; token lives 24 h)", tags=TAGS)
def verify_email(token: Annotated[str, Query(min_length=1, max_length=512)]) -> EmailVerified:
    from shared.accounts import service

    return service.verify_email(token)


@router.post("/auth/login", tags=TAGS,
             summary="Log in: returns a bearer token and sets the cf_session cookie (and its cf_csrf token)")
def log_in(body: Annotated[LoginRequest, Body()]) -> Response[Session]:
    from shared.accounts import service

    # Failed logins are limited per email and per source IP (shared.auth.abuse_limits); successful ones never.
    session = service.log_in(email=body.email, password=body.password,
                             source_ip=router.current_event.request_context.http.source_ip)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON,
                    body=session.model_dump(mode="json"), cookies=session_cookies(session.token, session.expires_in))


@router.post("/auth/logout", tags=TAGS,
             summary="Clear the session cookie and revoke the session's token(s); everywhere=true signs out "
                     "every device")
def log_out(everywhere: Annotated[bool, Query()] = False) -> Response[LoggedOut]:
    from shared.accounts import service

    ensure_cookie_logout_is_same_origin(router.current_event)  # a foreign page must not sign the user out
    credentials = credentials_of(router.current_event)
    presented = [token for token in (credentials.bearer, credentials.session_cookie)
                 if token and not token.startswith("cf_live_")]
    revoked = service.log_out(presented, everywhere=everywhere)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON,
                    body=LoggedOut(ok=True, revoked=revoked).model_dump(), cookies=expired_session_cookies())


@router.get("/auth/me", summary="The current user and tenant", tags=TAGS, middlewares=[requires(Scope.READ)])
def who_am_i() -> WhoAmI:
    from shared.accounts import service

    return service.who_am_i(current_principal(router))
