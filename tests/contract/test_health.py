"""Health & public: GET /healthz, the OpenAPI document, Swagger UI and unknown routes."""

from __future__ import annotations

import requests

from functions.catalog import FUNCTIONS
from functions.openapi.document import documented_path
from tests.contract.helpers import assert_error

DOCUMENTATION_ROUTES = {("GET", "/openapi.json"), ("GET", "/docs")}  # they serve the document, not part of it


def test_healthz_answers_200_with_status_ok(base_url: str, http: requests.Session) -> None:
    # When a client asks for the service's health
    response = http.get(f"{base_url}/healthz")

    # Then the service says it is up
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_every_provider_in_sandbox_mode_on_the_local_stack(base_url: str,
                                                                            http: requests.Session) -> None:
    # Given the local stack, which has no real provider credentials
    # When the health endpoint is read
    health = http.get(f"{base_url}/healthz").json()

    # Then each provider reports whether it is configured and that its sandbox adapter is in use
    assert health["sandbox"] is True
    assert {"llm", "telephony", "tts", "stt", "payments", "email"} <= health["providers"].keys()
    for name, status in health["providers"].items():
        assert isinstance(status["configured"], bool), name
        assert status["sandbox"] is True, name
    assert health["providers"]["llm"]["mode"] == "offline-composer"
    assert health["providers"]["tts"]["mode"] == "sandbox-mp3"
    assert health["providers"]["slack"]["mode"] == "sandbox-slack"  # each tenant's own (sandbox) Slack


def test_openapi_document_is_openapi_3_1(base_url: str, http: requests.Session) -> None:
    # When the machine-readable schema is requested
    response = http.get(f"{base_url}/openapi.json")

    # Then it is an OpenAPI 3.1 document
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")


def test_openapi_document_lists_every_catalog_route(base_url: str, http: requests.Session) -> None:
    # Given every route the catalog deploys (except the two that serve the documentation itself)
    deployed = {(route.method, route.path) for function in FUNCTIONS for route in function.routes}
    expected = {(method, documented_path(path)) for method, path in deployed - DOCUMENTATION_ROUTES}

    # When the OpenAPI document is read
    paths = http.get(f"{base_url}/openapi.json").json()["paths"]

    # Then each of them is documented with its method, at the path the reference writes
    documented = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert expected - documented == set()


def test_docs_serves_swagger_ui_as_html(base_url: str, http: requests.Session) -> None:
    # When a browser opens the interactive docs
    response = http.get(f"{base_url}/docs")

    # Then it gets the Swagger UI page
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "swagger-ui" in response.text.lower()


def test_a_known_path_with_an_undeclared_method_answers_404_with_error_and_code(base_url: str,
                                                                                 http: requests.Session) -> None:
    # Given /healthz, which only declares GET
    # When it is deleted
    response = http.delete(f"{base_url}/healthz")

    # Then no route matches and the answer is the contract's error body
    assert_error(response, 404)
