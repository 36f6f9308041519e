"""Idempotency-Key for every state-changing POST, applied once around the route (see `request_guards`).

When a protected POST route that needs the write scope or more is called with `Idempotency-Key`, the
route runs through `shared.platform.idempotency.idempotent`, keyed by tenant + "POST /route/{param}" +
key, and the whole response (status, body, content type, headers) is stored. The request's fingerprint is
its path parameters, query string and body (JSON compared by value, so key order and spacing do not
matter). A replay answers the stored response with `Idempotent-Replayed: true`. Errors raised by the route
are not stored: the key is released and the client may retry with it.

Secrets are never stored (RULES: an API key exists only as its sha256): a top-level `secret` field of the
response is kept as null, so replaying POST /api-keys returns the minted key's id and prefix but not its
secret — a client that lost the first response revokes that key and mints another.
"""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING, Any

from shared.platform.tenancy import TenantScoped as Principal  # any principal: the platform never imports auth

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

REQUEST_HEADER = "idempotency-key"  # API Gateway HTTP APIs lower-case header names
REPLAYED_HEADER = "Idempotent-Replayed"
#: Response fields never written to the idempotency record (replayed as null).
SECRET_FIELDS = frozenset({"secret"})
#: Headers that describe this request, not the stored response.
_PER_REQUEST_HEADERS = re.compile(r"^(x-ratelimit-|retry-after$|idempotent-replayed$)", re.IGNORECASE)


def applies_to(method: str, needs_write: bool) -> bool:
    """Which routes honour the header: POSTs that change state (those needing the write scope or more)."""
    return method.upper() == "POST" and needs_write


def run_once_per_key(app: "BaseRouter", next_middleware: "NextMiddleware", principal: "Principal") -> "Response":
    key = app.current_event.headers.get(REQUEST_HEADER)
    if key is None:
        return next_middleware(app)
    from shared.platform.idempotency import idempotent

    fresh: list[Response] = []

    def run_route() -> tuple[int, dict]:
        response = next_middleware(app)
        fresh.append(response)
        return response.status_code, _stored(response)

    route = app.context["_route"]
    status, stored = idempotent(principal, f"POST {route.openapi_path}", key, _fingerprint(app), run_route)
    return fresh[0] if fresh else _replayed(status, stored)


def _fingerprint(app: "BaseRouter") -> dict[str, Any]:
    event = app.current_event
    raw = event.body or ""
    body: Any = raw
    if not event.is_base64_encoded and raw:
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = raw
    return {"path": app.context.get("_route_args") or {}, "query": event.raw_query_string or "", "body": body,
            "base64": bool(event.is_base64_encoded)}


def _stored(response: "Response") -> dict[str, Any]:
    body = response.body
    stored: dict[str, Any] = {"content_type": response.content_type,
                              "headers": {name: value for name, value in (response.headers or {}).items()
                                          if not _PER_REQUEST_HEADERS.match(name)}}
    if isinstance(body, bytes):
        stored["base64_body"] = base64.b64encode(body).decode()
    elif isinstance(body, dict):
        stored["body"] = {name: None if name in SECRET_FIELDS else value for name, value in body.items()}
    else:
        stored["body"] = body
    return stored


def _replayed(status: int, stored: dict[str, Any]) -> "Response":
    from aws_lambda_powertools.event_handler import Response

    body = base64.b64decode(stored["base64_body"]) if "base64_body" in stored else stored.get("body")
    headers = {**stored.get("headers", {}), REPLAYED_HEADER: "true"}
    return Response(status_code=status, content_type=stored.get("content_type"), body=body, headers=headers)
