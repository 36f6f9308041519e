"""What API Gateway (HTTP API, payload v2) does around a Lambda: route, build the event, map the result.

Pure functions over plain data, so they are tested without a server. Where API Gateway's behaviour is
not obvious it is copied on purpose: header names lower-cased and repeated values joined with commas,
the Cookie header moved to `cookies`, absent fields omitted rather than empty.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, unquote

from functions.catalog import FUNCTIONS, PATH_ALIASES, LambdaFunction
from shared.platform import clock

MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
API_ID = "local"
DEFAULT_ROUTE_KEY = "$default"
TEXT_CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "application/xml")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query_string: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received, repeats kept
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class RouteMatch:
    function: LambdaFunction
    route_key: str
    path_parameters: dict[str, str]


#: A run of 5+ digits (optionally after `+`, `%2B` or `00`), spaced or dashed like a phone number.
_NUMBER = re.compile(r"(?:\+|%2[Bb])?\d(?:[\d\-. ]|%20){3,}\d")


def masked_path(path: str) -> str:
    """The path as it may be logged: every number longer than four digits cut to its last four
    (`/dnc/%2B14155550313` → `/dnc/***0313`), so access logs never carry a full phone number."""
    return _NUMBER.sub(lambda number: "***" + re.sub(r"\D", "", number[0].replace("%20", ""))[-4:], path)


def match_route(method: str, path: str,
                functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> RouteMatch | None:
    """The catalog route for a request, else the function that serves unmatched routes, else None."""
    prefix, unaliased = _split_alias(path)
    for function in functions:
        for route in function.routes:
            if route.method != method:
                continue
            parameters = _match_template(route.path, unaliased)
            if parameters is not None:
                return RouteMatch(function, f"{method} {prefix}{route.path}", parameters)
    fallback = next((function for function in functions if function.serves_unmatched_routes), None)
    return RouteMatch(fallback, DEFAULT_ROUTE_KEY, {}) if fallback else None


def _split_alias(path: str) -> tuple[str, str]:
    """Strip one leading alias (`/api`, `/v1`) for matching; the handler still sees the raw path."""
    for prefix in PATH_ALIASES:
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            return prefix, path[len(prefix):] or "/"
    return "", path


def _match_template(template: str, path: str) -> dict[str, str] | None:
    template_segments, path_segments = template.split("/"), path.split("/")
    if len(template_segments) != len(path_segments):
        return None
    parameters = {}
    for expected, actual in zip(template_segments, path_segments, strict=True):
        if expected.startswith("{") and expected.endswith("}"):
            if not actual:
                return None
            parameters[expected[1:-1]] = unquote(actual)
        elif expected != actual:
            return None
    return parameters


def build_event(request: HttpRequest, match: RouteMatch, *, account_id: str) -> dict[str, Any]:
    headers = _joined_headers(request.headers)
    cookie_header = headers.pop("cookie", "")
    cookies = [cookie.strip() for cookie in cookie_header.split(";") if cookie.strip()]
    query = _joined_query(request.query_string)
    now = clock.now().timestamp()  # API Gateway's request time, on the stack's (movable) clock
    domain_name = headers.get("host", "localhost")
    request_id = str(uuid.uuid4())
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": match.route_key,
        "rawPath": request.path,
        "rawQueryString": request.query_string,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": API_ID,
            "domainName": domain_name,
            "domainPrefix": domain_name.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": match.route_key,
            "stage": "$default",
            "time": formatdate(now, usegmt=True),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if match.path_parameters:
        event["pathParameters"] = match.path_parameters
    if request.body:
        event["body"], event["isBase64Encoded"] = _encode_body(request.body, headers.get("content-type", ""))
    return event


def _joined_headers(raw_headers: list[tuple[str, str]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw_headers:
        key = name.lower()
        separator = ";" if key == "cookie" else ","  # several Cookie headers are still one cookie list
        headers[key] = f"{headers[key]}{separator}{value}" if key in headers else value
    return headers


def _joined_query(query_string: str) -> dict[str, str]:
    query: dict[str, str] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    return query


def _encode_body(body: bytes, content_type: str) -> tuple[str, bool]:
    """Text bodies pass as text; anything else (or invalid UTF-8) as base64, as API Gateway does."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type.startswith("text/") or media_type in TEXT_CONTENT_TYPES or media_type.endswith("+json"):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def map_result(result: Any) -> HttpResponse:
    """Turn a Lambda result into the HTTP response API Gateway would send."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Payload v2 lets a function return bare JSON (or a string): API Gateway answers 200 with it.
        body = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("Content-Type", "application/json")], body.encode("utf-8"))
    headers = [(name, str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(value)) for value in values)
    headers.extend(("Set-Cookie", cookie) for cookie in result.get("cookies") or [])
    body = result.get("body") or ""
    raw_body = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return HttpResponse(int(result["statusCode"]), headers, raw_body)


def json_response(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(payload).encode("utf-8"))


def error_response(status: int, message: str, code: str) -> HttpResponse:
    """The contract's error body, for failures that happen outside any function."""
    return json_response(status, {"error": message, "code": code})


# Byte ranges, as S3 answers them: browsers' audio players seek with `Range: bytes=...`.
_SINGLE_RANGE = re.compile(r"bytes=(?P<first>[0-9]*)-(?P<last>[0-9]*)")


def byte_range_response(body: bytes, content_type: str, range_header: str | None) -> HttpResponse:
    """200 with the whole body, 206 with one range, or 416 when the range starts past the end.

    A malformed or multi-range header is ignored (the whole body, 200), as RFC 9110 allows.
    """
    headers = [("Content-Type", content_type), ("Accept-Ranges", "bytes")]
    requested = _parse_range(range_header or "")
    if requested is None:
        return HttpResponse(200, headers, body)
    span = _satisfiable_span(requested, len(body))
    if span is None:
        refused = error_response(416, "Requested range not satisfiable", "RANGE_NOT_SATISFIABLE")
        return HttpResponse(416, [*refused.headers, ("Content-Range", f"bytes */{len(body)}")], refused.body)
    first, last = span
    return HttpResponse(206, [*headers, ("Content-Range", f"bytes {first}-{last}/{len(body)}")],
                        body[first:last + 1])


def _parse_range(header: str) -> tuple[int | None, int | None] | None:
    """`bytes=a-b` → (a, b), `bytes=a-` → (a, None), `bytes=-n` → (None, n); None when not one valid range."""
    match = _SINGLE_RANGE.fullmatch(header.strip())
    if match is None or not (match["first"] or match["last"]):
        return None
    first = int(match["first"]) if match["first"] else None
    last = int(match["last"]) if match["last"] else None
    if first is not None and last is not None and last < first:
        return None
    return first, last


def _satisfiable_span(requested: tuple[int | None, int | None], size: int) -> tuple[int, int] | None:
    first, last = requested
    if first is None:  # a suffix: the last `last` bytes
        return (max(0, size - last), size - 1) if last and size else None
    if first >= size:
        return None
    return first, size - 1 if last is None else min(last, size - 1)
