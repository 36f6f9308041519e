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
from shared.auth.passwords import MIN_PASSWORD_LENGTH
from shared.auth.policies import credentials_of, current_principal, requires
from shared.auth.principal import Scope
from shared.auth.session_cookie import expired_session_cookie, session_cookie
from shared.platform.http.input_types import Email, PrintableText
from shared.platform.http.request_guards import throttle_login_by_source_ip

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
             status_code=201)
def sign_up(body: Annotated[SignupRequest, Body()]) -> SignupResult:
    from shared.accounts import service

    return service.sign_up(email=body.email, password=body.password, full_name=body.full_name,
                           country=body.country)


@router.get("/auth/verify-email", summary="Confirm an email address (idempotent; token lives 24 h)", tags=TAGS)
def verify_email(token: Annotated[str, Query(min_length=1, max_length=512)]) -> EmailVerified:
    from shared.accounts import service

    return service.verify_email(token)


@router.post("/auth/login", summary="Log in: returns a bearer token and sets the cf_session cookie", tags=TAGS,
             middlewares=[throttle_login_by_source_ip])  # per IP; failures are limited per email too
def log_in(body: Annotated[LoginRequest, Body()]) -> Response[Session]:
    from shared.accounts import service

    session = service.log_in(email=body.email, password=body.password)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON,
                    body=session.model_dump(mode="json"), cookies=[session_cookie(session.token, session.expires_in)])


@router.post("/auth/logout", tags=TAGS,
             summary="Clear the session cookie and revoke the session's token(s); everywhere=true signs out "
                     "every device")
def log_out(everywhere: Annotated[bool, Query()] = False) -> Response[LoggedOut]:
    from shared.accounts import service

    credentials = credentials_of(router.current_event)
    presented = [token for token in (credentials.bearer, credentials.session_cookie)
                 if token and not token.startswith("cf_live_")]
    revoked = service.log_out(presented, everywhere=everywhere)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON,
                    body=LoggedOut(ok=True, revoked=revoked).model_dump(), cookies=[expired_session_cookie()])


@router.get("/auth/me", summary="The current user and tenant", tags=TAGS, middlewares=[requires(Scope.READ)])
def who_am_i() -> WhoAmI:
    from shared.accounts import service

    return service.who_am_i(current_principal(router))
