"""The document says what the server does: what it allows is accepted, what the server echoes is safe."""

from __future__ import annotations

import re

import pytest
import requests

from tests.contract.helpers import JSON_CONTENT, assert_error, sign_up_and_log_in

PROMPT = ("Win back customers whose gym membership lapsed in the last 90 days. Call 10am-7pm IST, "
          "friendly tone, offer up to 20% off the first 3 months, auto-approve up to 10%.")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@pytest.fixture(scope="module")
def document(base_url: str, http: requests.Session) -> dict:
    return http.get(f"{base_url}/openapi.json").json()


def test_a_whole_number_float_is_an_integer(base_url: str, http: requests.Session) -> None:
    # Given a count the document types as an integer
    account = sign_up_and_log_in(http, base_url)

    # When a generated client sends it as 26.0 (JSON Schema's `integer` admits it), and then as 26.5
    whole = http.post(f"{base_url}/numbers/search", json={"country": "US", "limit": 26.0}, headers=account.auth)
    fractional = http.post(f"{base_url}/numbers/search", json={"country": "US", "limit": 26.5}, headers=account.auth)

    # Then 26.0 is accepted as 26 and 26.5 is still refused
    assert whole.status_code == 200, whole.text
    assert_error(fractional, 400, "VALIDATION_ERROR", "limit")


def test_the_documents_own_preview_opening_example_is_accepted(base_url: str, http: requests.Session,
                                                               document: dict) -> None:
    # Given the request example the document shows for the preview
    example = document["paths"]["/api/workflows/preview-opening"]["post"]["requestBody"]["content"][
        "application/json"]["example"]

    # When it is sent as is
    response = http.post(f"{base_url}/api/workflows/preview-opening", json=example)

    # Then it is spoken, not refused
    assert response.status_code == 200, (example, response.text)


@pytest.mark.parametrize("key", ["\x07bell\x1b[31m<script>" + "x" * 5000, "\u202eevil\n", "a b"])
def test_an_unknown_rule_book_key_is_not_echoed_raw(base_url: str, http: requests.Session, key: str) -> None:
    # Given a workflow
    account = sign_up_and_log_in(http, base_url)
    created = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT}, headers=account.auth)
    assert created.status_code == 201, created.text

    # When a rule-book edit names a field that does not exist, with control characters and a long tail
    response = http.put(f"{base_url}/api/workflows/{created.json()['id']}", json={"rule_book": {key: 1}},
                        headers={**JSON_CONTENT, **account.auth})

    # Then it is refused with a fixed message and a short, safe field name
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert key not in body["error"] and key[:20] not in body["error"]
    assert body["field"].startswith("rule_book.") and len(body["field"]) <= 64
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", body["field"]), body["field"]
    assert not CONTROL_CHARACTERS.search(body["error"] + body["field"])
