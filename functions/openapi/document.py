"""One OpenAPI 3.1 document for the whole API, merged from every catalog function's resolver.

After the merge, every operation is completed from its route's declared policy (access.py: security,
errors, examples) and with the rate-limit and Idempotency-Key documentation (limits.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from functions.catalog import LambdaFunction
    from shared.auth.policies import RoutePolicy

TITLE = "CallFunnel API"
DESCRIPTION = (
    "Authenticate with `Authorization: Bearer cf_live_…` (API key), `Authorization: Bearer <jwt>` "
    "(from POST /auth/login) or the `cf_session` cookie. Paths are written as the API reference writes them; "
    "every route is also served with and without the `/api` prefix, and under `/v1`. "
    'Errors are JSON: `{"error", "code", "field"?}`.'
)


#: The resources the API reference lists under its base URL `/api` (`GET /api/workflows`, `GET /api/timeline`…);
#: it lists the others (`/auth/...`, `/dnc/...`, `/billing/...`) without it. The document writes every path the
#: way the reference does, so a generated client or a Postman import calls the documented URLs.
#: Issue 13 writes the event webhooks and the callbacks the same way (`POST /api/webhooks`, `GET /api/callbacks`).
REFERENCE_API_RESOURCES = ("/workflows", "/approvals", "/timeline", "/reports", "/objections", "/webhooks",
                           "/callbacks")
REFERENCE_PREFIX = "/api"


def documented_path(route_path: str) -> str:
    """The catalog's path as the reference writes it: `/workflows/{id}` → `/api/workflows/{id}`."""
    if any(route_path == resource or route_path.startswith(resource + "/") for resource in REFERENCE_API_RESOURCES):
        return REFERENCE_PREFIX + route_path
    return route_path


@lru_cache(maxsize=1)
def merged_openapi() -> dict[str, Any]:
    from functions.catalog import FUNCTIONS

    return build_openapi(FUNCTIONS)


def build_openapi(functions: Iterable[LambdaFunction]) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    from shared.auth.policies import route_policies
    from shared.platform.settings import get_settings

    merge = OpenAPIMerge(title=TITLE, version=get_settings().version, description=DESCRIPTION,
                         on_conflict="error")
    policies: dict[tuple[str, str], RoutePolicy] = {}
    for function in functions:
        if function.routes:
            app = importlib.import_module(function.module).app
            merge.add_schema(app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json"))
            policies.update(route_policies(app))
    document = merge.get_openapi_schema()
    from functions.openapi.access import describe_access_and_errors
    from functions.openapi.limits import document_limits_and_idempotency

    describe_access_and_errors(document, policies)  # security, error responses, examples

    document_limits_and_idempotency(document, policies)  # rate-limit headers, 429, Idempotency-Key
    # Last: the completions above are keyed by the catalog's paths.
    document["paths"] = {documented_path(path): item for path, item in document.get("paths", {}).items()}
    return document


def swagger_page() -> str:
    import json
    from pathlib import Path

    from aws_lambda_powertools.event_handler import openapi
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(openapi.__file__).parent / "swagger_ui"
    spec = json.dumps(merged_openapi()).replace("</", "<\\/")
    return generate_swagger_html(spec, (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
                                 (assets / "swagger-ui.min.css").read_text(encoding="utf-8"), None, None, False)
