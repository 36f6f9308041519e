"""The laptop stack behaves like API Gateway in front of the catalog's functions."""

from __future__ import annotations

import pytest
import requests

TEN_MEGABYTES = 10 * 1024 * 1024


@pytest.mark.parametrize("path", ["/no-such-route", "/api/no-such-route", "/v1/auth/no-such-route"])
def test_an_unknown_path_answers_404_with_the_contract_error_body(base_url: str, http: requests.Session,
                                                                   path: str) -> None:
    # Given a path that no catalog route declares
    # When it is requested
    response = http.get(f"{base_url}{path}")

    # Then the function serving unmatched routes answers with the contract's error shape
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert {"error", "code"} <= response.json().keys()


@pytest.mark.parametrize("alias", ["/api", "/v1"])
def test_an_alias_prefix_reaches_the_same_function(base_url: str, http: requests.Session, alias: str) -> None:
    # Given the health endpoint at its own path
    plain = http.get(f"{base_url}/healthz")

    # When it is requested under an alias prefix
    aliased = http.get(f"{base_url}{alias}/healthz")

    # Then the same function answers the same thing
    assert plain.status_code == aliased.status_code == 200
    assert aliased.json() == plain.json()


def test_head_answers_the_get_headers_without_a_body(base_url: str, http: requests.Session) -> None:
    # Given the health endpoint's GET answer
    get = http.get(f"{base_url}/healthz")

    # When HEAD asks for the same path
    head = http.head(f"{base_url}/healthz")

    # Then the status and headers match, and no body follows
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.content == b""


def test_a_body_over_10_mb_is_refused_with_413_before_any_function_runs(base_url: str,
                                                                        http: requests.Session) -> None:
    # Given a request body one byte over API Gateway's limit
    body = b"x" * (TEN_MEGABYTES + 1)

    # When it is posted
    response = http.post(f"{base_url}/auth/signup", data=body, headers={"Content-Type": "application/json"})

    # Then the stack refuses it with the contract's error body
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_the_sandbox_outbox_answers_a_json_list(base_url: str, http: requests.Session) -> None:
    # When the outbox is read
    response = http.get(f"{base_url}/_sandbox/outbox")

    # Then it is a JSON list of sent emails
    assert response.status_code == 200
    assert isinstance(response.json(), list)
