"""One OpenAPI 3.1 document for the whole API, merged from every catalog function's resolver."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

TITLE = "CallFunnel API"
DESCRIPTION = (
    "Authenticate with `Authorization: Bearer cf_live_…` (API key), `Authorization: Bearer <jwt>` "
    "(from POST /auth/login) or the `cf_session` cookie. Every path is also served under `/api` and `/v1`. "
    'Errors are JSON: `{"error", "code", "field"?}`.'
)


@lru_cache(maxsize=1)
def merged_openapi() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    from functions.catalog import FUNCTIONS
    from shared.platform.settings import get_settings

    merge = OpenAPIMerge(title=TITLE, version=get_settings().version, description=DESCRIPTION,
                         on_conflict="error")
    for function in FUNCTIONS:
        if function.routes:
            app = importlib.import_module(function.module).app
            merge.add_schema(app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json"))
    return merge.get_openapi_schema()


def swagger_page() -> str:
    import json
    from pathlib import Path

    from aws_lambda_powertools.event_handler import openapi
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(openapi.__file__).parent / "swagger_ui"
    spec = json.dumps(merged_openapi()).replace("</", "<\\/")
    return generate_swagger_html(spec, (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
                                 (assets / "swagger-ui.min.css").read_text(encoding="utf-8"), None, None, False)
