"""The merged OpenAPI document's rate limits and Idempotency-Key, derived from each route's policy.

Every protected operation documents the `X-RateLimit-*` headers on each of its responses and a 429 with
`Retry-After`; every state-changing POST (protected, write scope or more — the routes `idempotent_routes`
applies to) documents the optional `Idempotency-Key` header, the `Idempotent-Replayed` header on replays
and its 409/422 answers. The public routes limited per source IP (login, signup, the text-to-speech preview)
document their 429. Runs after `describe_access_and_errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.auth.policies import RoutePolicy

ERROR_SCHEMA_REF = "#/components/schemas/Error"
RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {"description": "The burst: the most requests the workspace may send at once "
                                         "(refilled at the sustained rate, by default 10 per second)",
                          "schema": {"type": "integer", "example": 20}},
    "X-RateLimit-Remaining": {"description": "Requests the workspace may send right now",
                              "schema": {"type": "integer", "example": 19}},
    "X-RateLimit-Reset": {"description": "Seconds until Remaining grows by one (0 when the bucket is full)",
                          "schema": {"type": "integer", "example": 1}},
}
RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "example": 1}}
REPLAYED = {"description": "`true` when this is the stored response of an earlier request with the same "
                           "Idempotency-Key", "schema": {"type": "string", "enum": ["true"]}}
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Makes a retry safe: the same key with the same request returns the first response (kept 24 h "
                   "per workspace and route, header `Idempotent-Replayed: true`); the same key with another "
                   "request is 422 `IDEMPOTENCY_KEY_REUSED`; while the first is still running, 409 "
                   "`IDEMPOTENCY_KEY_IN_FLIGHT`.",
    # Printable ASCII as the server checks it, without leading or trailing spaces (HTTP trims those).
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$",
               "example": "3f1c2a9e-order-1042"},
}
IDEMPOTENCY_ERRORS = {
    "400": ("Bad request: a field fails validation (`field` names it), or the Idempotency-Key is empty or longer "
            "than 255 characters", "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1..255 printable ASCII "
            "characters"),
    "409": ("Conflicts with the current state, or a request with this Idempotency-Key is still in progress",
            "IDEMPOTENCY_KEY_IN_FLIGHT", "A request with this Idempotency-Key is still in progress"),
    "422": ("Rejected: e.g. the Idempotency-Key was used with a different request", "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was used with a different request body"),
}
#: Public routes limited per source IP (shared.auth.abuse_limits and the login limiter).
PER_IP_LIMITED = {("post", "/auth/login"), ("post", "/auth/signup"), ("post", "/workflows/preview-opening")}
_RATE_LIMITED = ("Rate limited: retry after `Retry-After` seconds", "RATE_LIMITED", "Too many requests")
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_HEADER_REF = "#/components/headers/"


def document_limits_and_idempotency(document: dict[str, Any], policies: dict[tuple[str, str], RoutePolicy]) -> None:
    from shared.auth.principal import Scope
    from shared.platform.http.idempotent_routes import applies_to

    components = document.setdefault("components", {})
    headers = components.setdefault("headers", {})
    headers.update(RATE_LIMIT_HEADERS)
    headers.update({"Retry-After": RETRY_AFTER, "Idempotent-Replayed": REPLAYED})
    for path, path_item in document.get("paths", {}).items():
        for method in _HTTP_METHODS:
            operation = path_item.get(method)
            policy = policies.get((method.upper(), path))
            if operation is None or policy is None:
                continue
            if policy.access == "protected":
                if applies_to(method, policy.scope is not None and policy.scope >= Scope.WRITE):
                    _document_idempotency_key(operation)
                _document_rate_limit(operation)  # last: on every response, the idempotency ones included
            elif (method, path) in PER_IP_LIMITED:
                _error_response(operation, "429", *_RATE_LIMITED)["headers"] = {"Retry-After": _ref("Retry-After")}


def _document_rate_limit(operation: dict[str, Any]) -> None:
    _error_response(operation, "429", *_RATE_LIMITED)
    for status, response in operation.get("responses", {}).items():
        response_headers = response.setdefault("headers", {})
        response_headers.update({name: _ref(name) for name in RATE_LIMIT_HEADERS})
        if status == "429":
            response_headers["Retry-After"] = _ref("Retry-After")


def _document_idempotency_key(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(parameter.get("name", "").lower() == "idempotency-key" for parameter in parameters):
        parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
    for status, (description, code, message) in IDEMPOTENCY_ERRORS.items():
        _error_response(operation, status, description, code, message)
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2"):
            response.setdefault("headers", {})["Idempotent-Replayed"] = _ref("Idempotent-Replayed")


def _error_response(operation: dict[str, Any], status: str, description: str, code: str,
                    message: str) -> dict[str, Any]:
    response = operation.setdefault("responses", {}).setdefault(status, {"description": description})
    content = response.setdefault("content", {}).setdefault("application/json", {})
    content.setdefault("schema", {"$ref": ERROR_SCHEMA_REF})
    content.setdefault("example", {"error": message, "code": code})
    return response


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"{_HEADER_REF}{name}"}
