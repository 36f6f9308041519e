"""The merged OpenAPI document: complete (every catalog route), valid, and honest about auth and errors."""

from __future__ import annotations

import importlib
import re

import pytest
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from functions.catalog import FUNCTIONS
from functions.openapi.access import HTTP_METHODS, example_of
from functions.openapi.document import build_openapi, documented_path, merged_openapi, swagger_page
from shared.auth.policies import PUBLIC_ROUTES, SIGNED_ROUTES, UnclassifiedRoute, requires, route_policies
from shared.auth.principal import Scope
from shared.platform.http.resolver import build_resolver

#: The document describes the API; it does not list itself or the page that renders it.
SELF_DESCRIBING_ROUTES = {"GET /openapi.json", "GET /docs"}


@pytest.fixture(scope="module")
def document():
    merged_openapi.cache_clear()
    yield merged_openapi()
    merged_openapi.cache_clear()


def operations(document):
    for path, path_item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in path_item:
                yield f"{method.upper()} {path}", path_item[method]


#: Every route of the API reference (shared/spec/callfunnel-api-reference.txt), as it writes it:
#: `grep -oE '^(GET|POST|PUT|PATCH|DELETE)/[a-z0-9_{}/.-]*' callfunnel-api-reference.txt` (query strings dropped).
REFERENCE_ROUTES = {
    "POST /auth/signup", "GET /auth/verify-email", "POST /auth/login", "POST /auth/logout", "GET /auth/me",
    "GET /api-keys", "POST /api-keys", "POST /api-keys/{id}/revoke", "DELETE /api-keys/{id}",
    "GET /api/workflows", "GET /api/workflows/{id}", "POST /api/workflows", "PUT /api/workflows/{id}",
    "POST /api/workflows/{id}/audience", "POST /api/workflows/{id}/run", "POST /api/workflows/{id}/pause",
    "POST /api/workflows/{id}/retire", "POST /api/workflows/{id}/regenerate-rule-book", "DELETE /api/workflows/{id}",
    "GET /api/workflows/{id}/runs", "POST /api/workflows/preview-opening", "PUT /api/workflows/{id}/compliance",
    "GET /api/approvals", "POST /api/approvals/{id}/decide", "GET /api/timeline",
    "GET /dnc", "POST /dnc/add", "DELETE /dnc/{phone_e164}", "GET /dnc/check", "POST /dnc/import",
    "GET /api/reports/weekly", "GET /api/objections",
    "GET /onboarding/providers", "GET /onboarding/status", "PUT /onboarding/mode",
    "PUT /onboarding/credentials/{provider}", "DELETE /onboarding/credentials/{provider}", "POST /onboarding/complete",
    "GET /billing/balance", "GET /billing/precheck", "GET /billing/history", "POST /billing/topup",
    "POST /billing/autocharge", "POST /billing/webhooks/payment",
    "GET /numbers", "POST /numbers/search", "POST /numbers/provision", "POST /numbers/import",
    "POST /numbers/{id}/release",
    "GET /healthz", "GET /voices", "POST /dsr/export", "POST /dsr/erase",
}
#: Routes the reference does not list: callbacks that Slack and the carriers call.
ROUTES_BEYOND_THE_REFERENCE = {
    "POST /slack/interactivity",
    # Each tenant's own Slack (issue 13): new, not yet in the reference.
    "POST /integrations/slack/install", "GET /integrations/slack/oauth/callback", "GET /integrations/slack",
    "PUT /integrations/slack", "DELETE /integrations/slack",
    # The calls API (issue 12): new, not yet in the reference.
    "GET /calls", "GET /calls/{id}", "GET /calls/{id}/recording",
    # Event webhooks (issue 13, section 1), written as the issue writes them.
    "POST /api/webhooks", "GET /api/webhooks", "GET /api/webhooks/{id}", "PUT /api/webhooks/{id}",
    "DELETE /api/webhooks/{id}", "POST /api/webhooks/{id}/test", "GET /api/webhooks/{id}/deliveries",
    "POST /api/webhooks/{id}/deliveries/{delivery_id}/retry",
    # Callbacks (issue 13, section 4), written as the issue writes them.
    "GET /api/callbacks", "GET /api/callbacks/{id}", "DELETE /api/callbacks/{id}",
    *(f"POST /telephony/{{provider}}/{step}/{{tenant_id}}/{{call_id}}"
      for step in ("voice", "amd", "status")),
    # Warm transfers (issue 13 §5): Twilio's <Connect action>, the whisper, the <Dial> action, the recording.
    *(f"POST /telephony/{{provider}}/{step}/{{tenant_id}}/{{call_id}}"
      for step in ("stream-end", "whisper", "dial-result", "transfer-recording")),
    "GET /telephony/exotel/voicebot",
}


def catalog_route_keys():
    return {f"{route.method} {route.path}" for function in FUNCTIONS for route in function.routes}


def test_every_catalog_route_is_documented(document):
    documented = {key for key, _ in operations(document)}
    catalog = {f"{key.split(' ')[0]} {documented_path(key.split(' ')[1])}"
               for key in catalog_route_keys() - SELF_DESCRIBING_ROUTES}

    assert documented == catalog


def test_the_documents_paths_are_the_references_paths_exactly(document):
    documented = {key for key, _ in operations(document)}

    assert documented - ROUTES_BEYOND_THE_REFERENCE == REFERENCE_ROUTES


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate

    validate(document)

    assert document["openapi"].startswith("3.1")


def test_every_protected_operation_declares_bearer_and_cookie_security_and_answers_401_and_403(document):
    for key, operation in operations(document):
        if operation["x-callfunnel-access"]["access"] == "protected":
            assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}], key
            assert {"401", "403", "429"} <= set(operation["responses"]), key


def test_public_and_signed_operations_need_no_credentials(document):
    for key, operation in operations(document):
        if key in PUBLIC_ROUTES or key in SIGNED_ROUTES:
            assert operation["security"] == [], key
            assert "401" not in operation["responses"] or key in SIGNED_ROUTES or key == "POST /auth/login", key


def test_the_security_schemes_are_the_bearer_header_and_the_session_cookie(document):
    schemes = document["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"] == {**schemes["cookieAuth"], "type": "apiKey", "in": "cookie", "name": "cf_session"}


def test_error_responses_use_the_shared_error_schema_and_not_the_frameworks_422(document):
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for key, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (key, status)


def test_operations_with_inputs_document_400_and_with_path_ids_404(document):
    for key, operation in operations(document):
        parameters = operation.get("parameters", [])
        if parameters or operation.get("requestBody"):
            assert "400" in operation["responses"], key
        protected = operation["x-callfunnel-access"]["access"] == "protected"
        if protected and any(parameter["in"] == "path" for parameter in parameters):
            assert "404" in operation["responses"], key


def test_every_operation_has_a_summary_tags_and_an_example(document):
    for key, operation in operations(document):
        assert operation.get("summary") and operation.get("tags"), key
        media = [*operation.get("requestBody", {}).get("content", {}).values(),
                 *(content for response in operation["responses"].values()
                   for content in response.get("content", {}).values())]
        assert any("example" in item for item in media), key


def test_every_example_conforms_to_its_schema(document):
    from jsonschema import Draft202012Validator

    for key, operation in operations(document):
        bodies = {"request": operation.get("requestBody", {}), **operation["responses"]}
        for where, body in bodies.items():
            for media_type, media in body.get("content", {}).items():
                if "example" in media and "schema" in media:
                    schema = {"allOf": [media["schema"]], "components": document["components"]}
                    errors = [error.message for error in Draft202012Validator(schema).iter_errors(media["example"])]
                    assert not errors, (key, where, media_type, errors)


def test_uploads_accept_json_rows_as_well_as_csv(document):
    for path in ("/api/workflows/{id}/audience", "/dnc/import"):
        content = document["paths"][path]["post"]["requestBody"]["content"]

        assert {"multipart/form-data", "application/json"} <= set(content), path


def test_the_voice_webhook_answers_a_stream_and_the_amd_and_status_callbacks_204(document):
    voice = document["paths"]["/telephony/{provider}/voice/{tenant_id}/{call_id}"]["post"]["responses"]
    voicebot = document["paths"]["/telephony/exotel/voicebot"]["get"]["responses"]
    amd = document["paths"]["/telephony/{provider}/amd/{tenant_id}/{call_id}"]["post"]["responses"]
    status = document["paths"]["/telephony/{provider}/status/{tenant_id}/{call_id}"]["post"]["responses"]

    assert "<Connect><Stream" in voice["200"]["content"]["text/xml"]["example"]
    assert voicebot["200"]["content"]["application/json"]["example"]["url"].startswith("wss://")
    assert all("204" in answers and "200" not in answers for answers in (amd, status))


def test_the_gather_conversation_routes_are_gone(document):
    assert not [path for path in document["paths"] if "/gather/" in path or "/hold/" in path]


def test_the_swagger_page_embeds_the_document():
    merged_openapi.cache_clear()
    page = swagger_page()

    assert "swagger-ui" in page.lower() and "CallFunnel API" in page


def test_every_resolver_route_has_exactly_one_policy():
    for function in FUNCTIONS:
        if function.routes:
            policies = route_policies(importlib.import_module(function.module).app)

            assert set(policies) == {(route.method, route.path) for route in function.routes}, function.name


def test_a_route_without_a_policy_is_detected():
    router = APIGatewayHttpRouter()
    router.get("/unguarded", summary="x", tags=["x"])(lambda: {"ok": True})

    with pytest.raises(UnclassifiedRoute, match="GET /unguarded"):
        route_policies(build_resolver(router))


def test_a_route_both_guarded_and_listed_public_is_detected():
    router = APIGatewayHttpRouter()
    router.get("/healthz", summary="x", tags=["x"], middlewares=[requires(Scope.READ)])(lambda: {"ok": True})

    with pytest.raises(UnclassifiedRoute, match="GET /healthz"):
        route_policies(build_resolver(router))


def test_a_guarded_route_reports_its_scope_and_users_only():
    router = APIGatewayHttpRouter()
    router.delete("/things/<id>", summary="x", tags=["x"],
                  middlewares=[requires(Scope.ADMIN, users_only=True)])(lambda id: {"ok": True})

    policy = route_policies(build_resolver(router))[("DELETE", "/things/{id}")]

    assert (policy.access, policy.scope, policy.users_only) == ("protected", Scope.ADMIN, True)


def test_an_undocumentable_document_route_fails_the_build():
    """A document path no resolver declared (e.g. a stale merge) is refused rather than left without auth."""
    router = APIGatewayHttpRouter()
    router.get("/unguarded", summary="x", tags=["x"])(lambda: {"ok": True})

    class Unguarded:
        routes = ("GET /unguarded",)
        module = "tests.unit.test_openapi_document"

    global app
    app = build_resolver(router)
    try:
        with pytest.raises(UnclassifiedRoute):
            build_openapi([Unguarded])
    finally:
        del app


def test_synthesised_examples_prefer_plausible_values_that_fit_the_schema():
    schemas = {"Target": {"type": "object", "required": ["phone_e164"], "properties": {
        "phone_e164": {"type": "string", "maxLength": 20},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "call_id": {"type": "string", "pattern": "^call_[0-9a-f]+$"},
        "amount_minor": {"type": "integer", "minimum": 1, "maximum": 500},
    }}}

    example = example_of({"$ref": "#/components/schemas/Target"}, schemas)

    assert example == {"phone_e164": "+14155550123", "call_id": "call_0123abcd", "amount_minor": 500}


def test_every_domain_error_a_route_can_raise_is_declared(document):
    """Read from the source (tests/unit/raised_errors.py): each `raise` of a CallFunnelError reachable from a
    route's handler must be a status its operation lists. 500s are never declared: they are bugs."""
    from tests.unit.raised_errors import raised_errors

    undeclared = []
    for function in FUNCTIONS:
        if not function.routes:
            continue
        app = importlib.import_module(function.module).app
        for route in [*app._static_routes, *app._dynamic_routes]:
            path = re.sub(r"<(\w+)>", r"{\1}", route.path)
            if f"{route.method} {path}" in SELF_DESCRIBING_ROUTES:
                continue
            responses = document["paths"][documented_path(path)][route.method.lower()]["responses"]
            undeclared += sorted(f"{route.method} {path} → {error.status} {error.code or ''} ({error.where})"
                                 for error in raised_errors(route.func.__module__, route.func.__name__)
                                 if error.status != 500 and str(error.status) not in responses)

    assert undeclared == []


def test_the_raised_error_walk_sees_through_services_and_honours_except_clauses():
    from tests.unit.raised_errors import raised_errors

    signup = {(error.status, error.code) for error in raised_errors("functions.auth.routes", "sign_up")}
    logout = {error.status for error in raised_errors("functions.auth.routes", "log_out")}

    assert (409, "EMAIL_TAKEN") in signup
    assert 401 not in logout  # the route swallows an invalid token: logging out twice is fine


def test_signed_routes_require_their_signature_headers_with_the_verifiers_shape(document):
    for key, operation in operations(document):
        if operation["x-callfunnel-access"]["access"] != "signed":
            continue
        # The proof is a header, or (Exotel's Voicebot applet: no headers of ours) a required query parameter.
        proofs = {parameter["name"]: parameter for parameter in operation["parameters"]
                  if parameter["in"] == "header" or (parameter["in"] == "query" and parameter.get("required"))}

        assert proofs and all(proof["required"] and proof["schema"].get("pattern")
                              for proof in proofs.values()), key


def test_id_phone_and_date_parameters_state_their_shape(document):
    """A value the document allows must not be refused for its shape: an id longer than 64 bytes once
    percent-encoded, a phone number in any spelling, a date the parser does not read."""
    shaped = {"id": "pattern", "phone_e164": "pattern", "phone": "pattern", "cursor": "pattern", "from": "format",
              "to": "format", "provider": "pattern"}
    for key, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in shaped:
                schema = parameter["schema"]
                branches = [branch for branch in schema.get("anyOf", [schema]) if branch.get("type") == "string"]
                assert all(shaped[parameter["name"]] in branch or "enum" in branch for branch in branches), (
                    key, parameter)


@pytest.mark.parametrize("path", ["/auth/login", "/auth/signup", "/api/workflows/preview-opening"])
def test_public_routes_limited_per_source_ip_document_their_429(document, path):
    limited = document["paths"][path]["post"]["responses"]["429"]

    assert limited["headers"]["Retry-After"] == {"$ref": "#/components/headers/Retry-After"}
