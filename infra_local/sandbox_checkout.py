"""`/_sandbox/checkout/<external_id>`: the sandbox payment processor's hosted checkout, on the laptop.

GET shows the page a customer pays on; POST `{"outcome": "succeeded"}` (its Pay button) completes the
checkout, and the sandbox processor then sends its signed webhook. Both are answered by
`shared.providers.payments.sandbox` in the server thread, not through the Lambda runtime: in the cloud
this page belongs to the processor, not to CallFunnel. Local only: not a catalog route, never deployed.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from infra_local.http_adapter import HttpResponse, error_response, json_response

CHECKOUT_PATH_PREFIX = "/_sandbox/checkout/"


def is_checkout_path(path: str) -> bool:
    return path.startswith(CHECKOUT_PATH_PREFIX)


def checkout_response(method: str, path: str, body: bytes) -> HttpResponse:
    external_id = unquote(path[len(CHECKOUT_PATH_PREFIX):])
    if not external_id or "/" in external_id:
        return error_response(404, "No sandbox checkout at this path", "NOT_FOUND")
    if method == "GET":
        return _page(external_id)
    if method == "POST":
        return _complete(external_id, body)
    refused = error_response(405, "Use GET to see a sandbox checkout, POST to complete it", "METHOD_NOT_ALLOWED")
    return HttpResponse(405, [*refused.headers, ("Allow", "GET, POST")], refused.body)


def _page(external_id: str) -> HttpResponse:
    from shared.providers.payments.sandbox import sandbox_checkout_page

    status, html = sandbox_checkout_page(external_id)
    return HttpResponse(status, [("Content-Type", "text/html; charset=utf-8")], html.encode("utf-8"))


def _complete(external_id: str, body: bytes) -> HttpResponse:
    try:
        payload = json.loads(body or b"null")
    except (ValueError, RecursionError):
        return error_response(400, "Body must be JSON: {\"outcome\": ...}", "BAD_REQUEST")
    outcome = payload.get("outcome") if isinstance(payload, dict) else None
    if not isinstance(outcome, str) or not outcome:
        return json_response(400, {"error": "outcome is required", "code": "BAD_REQUEST", "field": "outcome"})
    from shared.providers.payments.sandbox import complete_sandbox_checkout

    status, answer = complete_sandbox_checkout(external_id, outcome)
    return json_response(status, answer)
