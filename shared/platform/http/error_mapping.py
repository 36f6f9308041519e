"""The one error mapper: every failure leaves the API as `{"error", "code", "field"?}`.

Domain errors carry their own status; request-validation errors become 400 with `field` naming the
offending field (the reference answers 400 for bad input, e.g. "400 (bad scope/name/cap reached)";
422 is kept for semantic validation such as a rejected rule book); malformed JSON is 400; unknown
routes 404; anything unexpected a logged 500 that leaks nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from shared.platform.errors import CallFunnelError, safe_field_name
from shared.platform.observability import get_logger

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None, errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {"error": message, "code": code}
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body,
                    headers=headers or {})


def _from_domain_error(error: CallFunnelError) -> Response:
    return error_response(error.status, error.code, error.message, error.field, error.headers, error.errors)


def _field_of(location: tuple | list) -> str | None:
    # Powertools reports e.g. ("body", "scope") or ("query", "token"); the field is what follows the
    # source. A whole-body error ("body",) has no single field.
    parts = [str(part) for part in location[1:]]
    return safe_field_name(".".join(parts)) or None  # a dict key in the path is the client's own text


def _from_validation_error(error: RequestValidationError) -> Response:
    problems = error.errors()
    first = problems[0] if problems else {"loc": (), "type": "invalid", "msg": "Invalid request"}
    if first.get("type") == "json_invalid":
        return error_response(400, "MALFORMED_JSON", "Request body is not valid JSON")
    field = _field_of(first.get("loc", ()))
    if first.get("type") == "missing":
        message = f"{field or 'body'} is required"
        return error_response(400, "VALIDATION_ERROR", message, field)
    message = str(first.get("msg") or "Invalid value")
    return error_response(400, "VALIDATION_ERROR", f"{field}: {message}" if field else message, field)


def _from_not_found(_: NotFoundError) -> Response:
    return error_response(404, "NOT_FOUND", "No such route")


def _from_unsupported_content_type(_: RequestUnsupportedContentType) -> Response:
    return error_response(415, "UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json")


def _from_undecodable_body(_: UnicodeDecodeError) -> Response:
    return error_response(400, "MALFORMED_JSON", "Request body is not valid UTF-8 JSON")


def _from_unexpected(error: Exception) -> Response:
    get_logger().exception("unhandled error", extra={"error_type": type(error).__name__})
    return error_response(500, "INTERNAL_ERROR", "Internal server error")


def _access_refusal(app: "APIGatewayHttpResolver") -> Response | None:
    """A protected route's access check, run before its validation errors are reported (see policies)."""
    route = app.context.get("_route")
    for middleware in getattr(route, "middlewares", None) or []:
        check_access = getattr(middleware, "check_access", None)
        if check_access is not None:
            try:
                check_access(app)
            except CallFunnelError as refusal:
                return _from_domain_error(refusal)
    return None


def _with_rate_limit_headers(app: "APIGatewayHttpResolver", response: Response) -> Response:
    """A request refused for its body still counted against the tenant: say where the bucket stands."""
    from shared.platform.http.request_guards import rate_limit_headers

    response.headers.update(rate_limit_headers(app))
    return response


def register_error_handlers(app: "APIGatewayHttpResolver") -> None:
    app.exception_handler(CallFunnelError)(_from_domain_error)
    app.exception_handler(RequestValidationError)(
        lambda error: _access_refusal(app) or _with_rate_limit_headers(app, _from_validation_error(error)))
    app.exception_handler(RequestUnsupportedContentType)(
        lambda error: _access_refusal(app) or _from_unsupported_content_type(error))
    app.exception_handler(NotFoundError)(_from_not_found)
    app.exception_handler(UnicodeDecodeError)(_from_undecodable_body)
    app.exception_handler(Exception)(_from_unexpected)
