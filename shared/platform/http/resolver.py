"""The resolver factory every HTTP function uses, and the Lambda entry point around it.

A group's `handler.py` is three lines: build the resolver from its routers, then
`lambda_handler = lambda_entry(app)`. Paths are served as the reference lists them and also under
the `/api` and `/v1` aliases.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.platform.http.error_mapping import register_error_handlers
from shared.platform.http.paths import ALIAS_PREFIXES


def _whole_numbers_as_int(text: str) -> int | float:
    """`26.0` is the integer 26: JSON Schema's `integer` admits it and generated clients send it, so a
    strictly-typed count (`limit`, `amount_minor`) accepts it; `26.5` stays a float and is refused."""
    number = float(text)
    return int(number) if number.is_integer() else number


def parse_json_body(text: str) -> Any:
    """json.loads, with hostile bodies (absurd nesting, 5000-digit numbers) reported as malformed JSON."""
    try:
        return json.loads(text, parse_float=_whole_numbers_as_int)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError(f"unparseable JSON ({type(error).__name__})", text, 0) from error


def build_resolver(*routers: APIGatewayHttpRouter) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=list(ALIAS_PREFIXES),
                                 json_body_deserializer=parse_json_body)
    register_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app


def lambda_entry(app: APIGatewayHttpResolver) -> Callable[[dict, Any], dict]:
    """Wrap `app.resolve` with the structured logger (created on first call) and business metrics."""

    @lru_cache(maxsize=1)
    def instrumented() -> Callable[[dict, Any], dict]:
        from aws_lambda_powertools.logging import correlation_paths

        from shared.platform.observability import get_logger

        return get_logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)(
            app.resolve
        )

    def lambda_handler(event: dict, context: Any) -> dict:
        refusal = _malformed_multipart(event)
        if refusal is not None:
            return refusal
        try:
            return instrumented()(event, context)
        finally:
            _flush_business_metrics()

    return lambda_handler


def _malformed_multipart(event: dict) -> dict | None:
    """A multipart body without a boundary cannot be parsed; Powertools would answer it with a 500."""
    content_type = (event.get("headers") or {}).get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data") or "boundary=" in content_type:
        return None
    body = {"error": "multipart/form-data needs a boundary parameter", "code": "MALFORMED_MULTIPART"}
    return {"statusCode": 400, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body),
            "isBase64Encoded": False}


def _flush_business_metrics() -> None:
    """Publish the request's business metrics, if it recorded any (no empty EMF lines)."""
    from shared.platform.observability import get_metrics

    metrics = get_metrics()
    if metrics.metric_set:
        metrics.flush_metrics()
