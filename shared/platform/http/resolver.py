"""The resolver factory every HTTP function uses, and the Lambda entry point around it.

A group's `handler.py` is three lines: build the resolver from its routers, then
`lambda_handler = lambda_entry(app)`. Paths are served as the reference lists them and also under
the `/api` and `/v1` aliases.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.platform.http.error_mapping import register_error_handlers

# `/api/v1/x`, `/api/x` and `/v1/x` all route as `/x`.
ALIAS_PREFIX = re.compile(r"^(/api)?(/v1)?(?=/)")


def build_resolver(*routers: APIGatewayHttpRouter) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=[ALIAS_PREFIX])
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
        try:
            return instrumented()(event, context)
        finally:
            _flush_business_metrics()

    return lambda_handler


def _flush_business_metrics() -> None:
    """Publish the request's business metrics, if it recorded any (no empty EMF lines)."""
    from shared.platform.observability import get_metrics

    metrics = get_metrics()
    if metrics.metric_set:
        metrics.flush_metrics()
