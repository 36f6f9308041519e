"""The error hierarchy of the domain.

Every failure a client can cause or see is one of these; `shared.platform.http.error_mapping` turns
them into the contract's `{"error", "code", "field"?}` body with the status carried here. Services
raise them; routes never catch them.
"""

from __future__ import annotations

import re

#: How long a field name echoed back to the client may be, and what it may contain.
MAX_FIELD_NAME_CHARS = 64
_UNSAFE_IN_FIELD_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


def safe_field_name(name: str) -> str:
    """A field name fit to echo in an error: a client's own key (`rule_book.<key>`, a dict key) may carry
    control characters, markup or megabytes; each unsafe character becomes `_` and the name is cut to 64."""
    return _UNSAFE_IN_FIELD_NAME.sub("_", name)[:MAX_FIELD_NAME_CHARS]


class CallFunnelError(Exception):
    status = 500
    default_code = "INTERNAL_ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 headers: dict[str, str] | None = None, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.headers = headers or {}
        # Several problems at once (e.g. a rule book's validator): [{"field", "message"}, ...].
        self.errors = errors


class BadRequest(CallFunnelError):
    status = 400
    default_code = "BAD_REQUEST"


class Unauthorized(CallFunnelError):
    status = 401
    default_code = "UNAUTHORIZED"


class PaymentRequired(CallFunnelError):
    status = 402
    default_code = "INSUFFICIENT_FUNDS"


class Forbidden(CallFunnelError):
    status = 403
    default_code = "FORBIDDEN"


class NotFound(CallFunnelError):
    status = 404
    default_code = "NOT_FOUND"


class Conflict(CallFunnelError):
    status = 409
    default_code = "CONFLICT"


class PayloadTooLarge(CallFunnelError):
    status = 413
    default_code = "PAYLOAD_TOO_LARGE"


class Invalid(CallFunnelError):
    status = 422
    default_code = "VALIDATION_FAILED"


class RateLimited(CallFunnelError):
    status = 429
    default_code = "RATE_LIMITED"


class Upstream(CallFunnelError):
    status = 502
    default_code = "UPSTREAM_ERROR"


class Unavailable(CallFunnelError):
    status = 503
    default_code = "UNAVAILABLE"
