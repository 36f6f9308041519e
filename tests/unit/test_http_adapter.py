"""The local API Gateway: route matching, payload v2 events, the mapping of Lambda results, and the
byte-range answers of the sandbox media route (`/_sandbox/media/<key>`), and the sandbox checkout route."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from functions.catalog import HttpRoute, LambdaFunction
from infra_local.http_adapter import (
    HttpRequest,
    build_event,
    byte_range_response,
    error_response,
    map_result,
    masked_path,
    match_route,
)
from infra_local.sandbox_checkout import checkout_response, is_checkout_path
from infra_local.sandbox_media import content_type, is_media_path, media_key

HEALTH = LambdaFunction(name="health", handler="h.handler.lambda_handler", description="",
                        routes=(HttpRoute("GET", "/healthz"),), serves_unmatched_routes=True)
API_KEYS = LambdaFunction(name="api_keys", handler="k.handler.lambda_handler", description="",
                          routes=(HttpRoute("GET", "/api-keys"), HttpRoute("POST", "/api-keys/{id}/revoke")))
CATALOG = (HEALTH, API_KEYS)
ACCOUNT_ID = "123456789012"


def event_for(request: HttpRequest) -> dict:
    return build_event(request, match_route(request.method, request.path, CATALOG), account_id=ACCOUNT_ID)


# Route matching


def test_a_route_matches_by_method_and_path() -> None:
    match = match_route("GET", "/api-keys", CATALOG)

    assert (match.function, match.route_key, match.path_parameters) == (API_KEYS, "GET /api-keys", {})


def test_a_template_segment_becomes_a_decoded_path_parameter() -> None:
    match = match_route("POST", "/api-keys/key%201/revoke", CATALOG)

    assert match.function is API_KEYS
    assert match.route_key == "POST /api-keys/{id}/revoke"
    assert match.path_parameters == {"id": "key 1"}


@pytest.mark.parametrize("alias", ["/api", "/v1"])
def test_one_alias_prefix_is_stripped_for_matching_and_kept_in_the_route_key(alias: str) -> None:
    match = match_route("POST", f"{alias}/api-keys/k1/revoke", CATALOG)

    assert match.function is API_KEYS
    assert match.route_key == f"POST {alias}/api-keys/{{id}}/revoke"
    assert match.path_parameters == {"id": "k1"}


def test_a_path_that_merely_starts_like_an_alias_is_not_stripped() -> None:
    # "/api-keys" starts with "/api" but is no alias of "-keys"
    assert match_route("GET", "/api-keys", CATALOG).route_key == "GET /api-keys"


def test_only_one_alias_is_stripped_as_the_catalog_declares_no_combined_prefix() -> None:
    assert match_route("GET", "/api/v1/api-keys", CATALOG).route_key == "$default"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/unknown"), ("DELETE", "/api-keys"), ("POST", "/api-keys//revoke"),
     ("POST", "/api-keys/a/b/revoke")],
)
def test_anything_unmatched_goes_to_the_default_route(method: str, path: str) -> None:
    match = match_route(method, path, CATALOG)

    assert (match.function, match.route_key, match.path_parameters) == (HEALTH, "$default", {})


def test_without_a_default_function_nothing_matches() -> None:
    assert match_route("GET", "/unknown", (API_KEYS,)) is None


# Event building


def test_the_event_carries_method_path_route_and_request_context() -> None:
    event = event_for(HttpRequest("POST", "/v1/api-keys/k1/revoke", source_ip="10.0.0.7",
                                  headers=[("Host", "127.0.0.1:8000"), ("User-Agent", "curl/8")]))

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/api-keys/{id}/revoke"
    assert event["rawPath"] == "/v1/api-keys/k1/revoke"
    assert event["pathParameters"] == {"id": "k1"}
    context = event["requestContext"]
    assert context["http"] == {"method": "POST", "path": "/v1/api-keys/k1/revoke", "protocol": "HTTP/1.1",
                               "sourceIp": "10.0.0.7", "userAgent": "curl/8"}
    assert (context["routeKey"], context["stage"], context["accountId"]) == (event["routeKey"], "$default",
                                                                             ACCOUNT_ID)
    assert context["domainName"] == "127.0.0.1:8000"
    assert isinstance(context["timeEpoch"], int) and context["requestId"]


def test_header_names_are_lower_cased_and_repeated_headers_joined_with_commas() -> None:
    event = event_for(HttpRequest("GET", "/healthz", headers=[("Accept", "text/html"), ("X-Trace", "a"),
                                                               ("x-trace", "b")]))

    assert event["headers"] == {"accept": "text/html", "x-trace": "a,b"}


def test_cookies_move_from_the_cookie_header_to_a_list() -> None:
    event = event_for(HttpRequest("GET", "/healthz", headers=[("Cookie", "cf_session=abc; theme=dark")]))

    assert event["cookies"] == ["cf_session=abc", "theme=dark"]
    assert "cookie" not in event["headers"]


def test_the_query_string_is_kept_raw_and_decoded_with_repeats_joined() -> None:
    event = event_for(HttpRequest("GET", "/api-keys", query_string="limit=5&tag=a&tag=b%20c&empty="))

    assert event["rawQueryString"] == "limit=5&tag=a&tag=b%20c&empty="
    assert event["queryStringParameters"] == {"limit": "5", "tag": "a,b c", "empty": ""}


def test_absent_parts_are_omitted_as_api_gateway_does() -> None:
    event = event_for(HttpRequest("GET", "/healthz"))

    assert {"cookies", "queryStringParameters", "pathParameters", "body"}.isdisjoint(event)
    assert event["rawQueryString"] == ""
    assert event["isBase64Encoded"] is False


def test_a_json_body_is_passed_as_text() -> None:
    event = event_for(HttpRequest("POST", "/api-keys/k/revoke", body='{"name": "é"}'.encode(),
                                  headers=[("Content-Type", "application/json; charset=utf-8")]))

    assert (event["body"], event["isBase64Encoded"]) == ('{"name": "é"}', False)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/json", b"\xff\xfe not utf-8"), ("application/octet-stream", b"plain ascii"),
     ("multipart/form-data; boundary=x", b"--x\r\n"), ("", b"no content type")],
)
def test_a_binary_or_non_text_body_is_base64_encoded(content_type: str, body: bytes) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    event = event_for(HttpRequest("POST", "/api-keys/k/revoke", body=body, headers=headers))

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


def test_powertools_reads_what_the_event_carries() -> None:
    # Given a resolver like the functions' own, stripping the alias prefixes
    app = APIGatewayHttpResolver(strip_prefixes=["/api", "/v1"])

    @app.post("/api-keys/<key_id>/revoke")
    def revoke(key_id: str) -> dict:
        event = app.current_event
        return {"key_id": key_id, "cookies": event.cookies, "tag": event.query_string_parameters["tag"],
                "auth": event.headers["authorization"], "body": event.json_body}

    # When it resolves an event built from a request under an alias
    request = HttpRequest("POST", "/api/api-keys/k1/revoke", query_string="tag=a&tag=b", body=b'{"n": 1}',
                          headers=[("Content-Type", "application/json"), ("Authorization", "Bearer t"),
                                   ("Cookie", "cf_session=s")])
    result = app.resolve(event_for(request), {})

    # Then the route sees every part of the request
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"key_id": "k1", "cookies": ["cf_session=s"], "tag": "a,b",
                                          "auth": "Bearer t", "body": {"n": 1}}


# Response mapping


def test_cookies_become_one_set_cookie_header_each() -> None:
    response = map_result({"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}",
                           "cookies": ["cf_session=abc; HttpOnly", "theme=dark"]})

    assert response.status == 200
    assert response.headers == [("Content-Type", "application/json"),
                                ("Set-Cookie", "cf_session=abc; HttpOnly"), ("Set-Cookie", "theme=dark")]
    assert response.body == b"{}"


def test_a_base64_body_is_decoded_to_its_bytes() -> None:
    pdf = b"%PDF-1.7\x00\xff"
    encoded = base64.b64encode(pdf).decode()

    response = map_result({"statusCode": 200, "body": encoded, "isBase64Encoded": True})

    assert response.body == pdf


def test_multi_value_headers_are_sent_once_per_value() -> None:
    response = map_result({"statusCode": 204, "multiValueHeaders": {"Vary": ["Origin", "Cookie"]}})

    assert response.headers == [("Vary", "Origin"), ("Vary", "Cookie")]
    assert response.body == b""


def test_a_result_without_a_status_code_is_a_200_json_answer() -> None:
    response = map_result({"ok": True})

    assert (response.status, response.headers, json.loads(response.body)) == (
        200, [("Content-Type", "application/json")], {"ok": True})


def test_a_stack_error_has_the_contract_error_body() -> None:
    response = error_response(500, "Internal server error", "INTERNAL_ERROR")

    assert response.status == 500
    assert json.loads(response.body) == {"error": "Internal server error", "code": "INTERNAL_ERROR"}



# Byte ranges (the sandbox media route; browsers' audio players seek with them)

AUDIO = bytes(range(100))


def _header(response, name: str) -> str | None:
    return next((value for key, value in response.headers if key.lower() == name.lower()), None)


def test_without_a_range_the_whole_body_is_sent_and_ranges_are_announced() -> None:
    response = byte_range_response(AUDIO, "audio/mpeg", None)

    assert (response.status, response.body) == (200, AUDIO)
    assert _header(response, "Content-Type") == "audio/mpeg"
    assert _header(response, "Accept-Ranges") == "bytes"
    assert _header(response, "Content-Range") is None


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [("bytes=0-9", 0, 9), ("bytes=90-", 90, 99), ("bytes=-10", 90, 99), ("bytes=95-500", 95, 99),
     ("bytes=-500", 0, 99), ("bytes=0-0", 0, 0), (" bytes=5-6 ", 5, 6)],
)
def test_one_satisfiable_range_is_a_206_with_exactly_those_bytes(range_header: str, first: int, last: int) -> None:
    response = byte_range_response(AUDIO, "audio/mpeg", range_header)

    assert response.status == 206
    assert response.body == AUDIO[first:last + 1]
    assert _header(response, "Content-Range") == f"bytes {first}-{last}/100"
    assert _header(response, "Content-Type") == "audio/mpeg"


@pytest.mark.parametrize(("body", "range_header"), [(AUDIO, "bytes=100-"), (AUDIO, "bytes=200-300"),
                                                    (AUDIO, "bytes=-0"), (b"", "bytes=0-"), (b"", "bytes=-5")])
def test_a_range_past_the_end_is_a_416_with_the_contract_error_body(body: bytes, range_header: str) -> None:
    response = byte_range_response(body, "audio/mpeg", range_header)

    assert response.status == 416
    assert _header(response, "Content-Range") == f"bytes */{len(body)}"
    assert json.loads(response.body) == {"error": "Requested range not satisfiable", "code": "RANGE_NOT_SATISFIABLE"}


@pytest.mark.parametrize("range_header", ["", "bytes=", "bytes=-", "bytes=9-3", "bytes=0-1,5-6", "items=0-9",
                                          "bytes=a-b", "bytes=²-3", "bytes=1-2-3"])
def test_a_malformed_or_multi_range_header_is_ignored_and_the_whole_body_sent(range_header: str) -> None:
    response = byte_range_response(AUDIO, "audio/mpeg", range_header)

    assert (response.status, response.body) == (200, AUDIO)


def test_media_paths_name_their_percent_decoded_object_key() -> None:
    assert is_media_path("/_sandbox/media/audio/previews/a.mp3")
    assert not is_media_path("/_sandbox/mediabucket") and not is_media_path("/api/_sandbox/media/a.mp3")
    assert media_key("/_sandbox/media/uploads/t%201/list+a.csv") == "uploads/t 1/list+a.csv"


@pytest.mark.parametrize(
    ("key", "stored", "expected"),
    [
        ("audio/previews/a.mp3", "audio/mpeg", "audio/mpeg"),
        ("audio/previews/a.mp3", "binary/octet-stream", "audio/mpeg"),
        ("audio/previews/a.mp3", None, "audio/mpeg"),
        ("uploads/list.csv", "text/csv; charset=utf-8", "text/csv; charset=utf-8"),
        ("uploads/blob", "binary/octet-stream", "binary/octet-stream"),
        ("uploads/blob", None, "application/octet-stream"),
    ],
)
def test_the_content_type_is_the_stored_one_unless_generic_then_the_extension_decides(
        key: str, stored: str | None, expected: str) -> None:
    assert content_type(key, stored) == expected


# The sandbox checkout route (`/_sandbox/checkout/<external_id>`), answered by the sandbox payments module.

class _FakeSandboxPayments:
    """Stands in for shared.providers.payments.sandbox: records what the route asked it."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def sandbox_checkout_page(self, external_id: str) -> tuple[int, str]:
        self.calls.append(("page", external_id))
        return 200, f"<html><body>Pay {external_id}</body></html>"

    def complete_sandbox_checkout(self, external_id: str, outcome: str) -> tuple[int, dict]:
        self.calls.append(("complete", external_id, outcome))
        return 200, {"external_id": external_id, "outcome": outcome}


@pytest.fixture
def sandbox_payments(monkeypatch: pytest.MonkeyPatch) -> _FakeSandboxPayments:
    import sys
    import types

    fake = _FakeSandboxPayments()
    module = types.ModuleType("shared.providers.payments.sandbox")
    module.sandbox_checkout_page = fake.sandbox_checkout_page
    module.complete_sandbox_checkout = fake.complete_sandbox_checkout
    monkeypatch.setitem(sys.modules, "shared.providers.payments.sandbox", module)
    return fake


def test_checkout_paths_are_recognised_by_their_prefix() -> None:
    assert is_checkout_path("/_sandbox/checkout/cs_123")
    assert not is_checkout_path("/_sandbox/media/cs_123")
    assert not is_checkout_path("/billing/topup")


def test_get_checkout_serves_the_sandbox_page_as_html(sandbox_payments: _FakeSandboxPayments) -> None:
    response = checkout_response("GET", "/_sandbox/checkout/cs%20123", b"")

    assert response.status == 200
    assert ("Content-Type", "text/html; charset=utf-8") in response.headers
    assert response.body == b"<html><body>Pay cs 123</body></html>"
    assert sandbox_payments.calls == [("page", "cs 123")]


def test_post_checkout_completes_it_with_the_outcome_and_answers_json(sandbox_payments: _FakeSandboxPayments) -> None:
    response = checkout_response("POST", "/_sandbox/checkout/cs_1", b'{"outcome": "succeeded"}')

    assert (response.status, json.loads(response.body)) == (200, {"external_id": "cs_1", "outcome": "succeeded"})
    assert sandbox_payments.calls == [("complete", "cs_1", "succeeded")]


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"outcome": 3}', b'{"other": "x"}', b"[" * 5000])
def test_post_checkout_without_a_string_outcome_is_a_400_and_completes_nothing(
    sandbox_payments: _FakeSandboxPayments, body: bytes
) -> None:
    response = checkout_response("POST", "/_sandbox/checkout/cs_1", body)

    assert response.status == 400
    assert json.loads(response.body)["code"] == "BAD_REQUEST"
    assert sandbox_payments.calls == []


@pytest.mark.parametrize("path", ["/_sandbox/checkout/", "/_sandbox/checkout/a/b"])
def test_a_checkout_path_without_exactly_one_id_is_a_404(sandbox_payments: _FakeSandboxPayments, path: str) -> None:
    response = checkout_response("GET", path, b"")

    assert (response.status, json.loads(response.body)["code"]) == (404, "NOT_FOUND")
    assert sandbox_payments.calls == []


def test_other_methods_on_a_checkout_are_refused_with_405(sandbox_payments: _FakeSandboxPayments) -> None:
    response = checkout_response("DELETE", "/_sandbox/checkout/cs_1", b"")

    assert response.status == 405
    assert ("Allow", "GET, POST") in response.headers
    assert sandbox_payments.calls == []


def test_the_sandbox_answer_status_is_passed_through(sandbox_payments: _FakeSandboxPayments,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.modules["shared.providers.payments.sandbox"], "sandbox_checkout_page",
                        lambda external_id: (404, "<p>no such checkout</p>"))

    assert checkout_response("GET", "/_sandbox/checkout/missing", b"").status == 404


@pytest.mark.parametrize(("path", "logged"), [
    ("/dnc/%2B14155550313", "/dnc/***0313"),
    ("/dnc/+14155550313", "/dnc/***0313"),
    ("/x/%2B1%20415%20555%200313/y", "/x/***0313/y"),
    ("/x/+1-415-555-0313", "/x/***0313"),
    ("/workflows/wf_ab12/runs", "/workflows/wf_ab12/runs"),
    ("/reports/2026", "/reports/2026"),
])
def test_logged_paths_keep_only_the_last_four_digits_of_a_number(path: str, logged: str) -> None:
    assert masked_path(path) == logged
