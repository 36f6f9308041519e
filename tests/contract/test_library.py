"""Shared library: GET /api/objections over HTTP against the local stack."""

from __future__ import annotations

import requests

from tests.contract.helpers import assert_error

FIELDS = {"id", "category", "trigger_text", "rebuttal_template", "use_count"}


def test_the_library_is_public_and_has_at_least_40_objections_in_the_contract_shape(base_url: str,
                                                                                    http: requests.Session) -> None:
    # When anyone, without credentials, reads the library
    response = http.get(f"{base_url}/api/objections")

    # Then every objection carries the contract's fields
    assert response.status_code == 200
    objections = response.json()["objections"]
    assert len(objections) >= 40
    assert all(FIELDS <= objection.keys() for objection in objections)
    assert all(isinstance(objection["use_count"], int) and objection["use_count"] >= 0 for objection in objections)


def test_the_library_spans_categories_and_has_hindi_triggers(base_url: str, http: requests.Session) -> None:
    objections = http.get(f"{base_url}/api/objections").json()["objections"]

    categories = {objection["category"] for objection in objections}
    assert {"price", "timing", "authority", "need", "competitor", "trust", "opt_out"} <= categories
    triggers = " ".join(objection["trigger_text"].lower() for objection in objections)
    assert "abhi time nahi hai" in triggers and "call mat karo" in triggers and "paise nahi hain" in triggers


def test_the_same_library_is_served_without_the_api_prefix(base_url: str, http: requests.Session) -> None:
    with_prefix = http.get(f"{base_url}/api/objections").json()["objections"]
    without = http.get(f"{base_url}/objections").json()["objections"]

    assert [o["id"] for o in without] == [o["id"] for o in with_prefix]


def test_a_category_filter_narrows_the_list(base_url: str, http: requests.Session) -> None:
    response = http.get(f"{base_url}/api/objections", params={"category": "price"})

    assert response.status_code == 200
    assert {objection["category"] for objection in response.json()["objections"]} == {"price"}


def test_an_unknown_category_is_a_400_in_the_contract_s_error_shape(base_url: str, http: requests.Session) -> None:
    response = http.get(f"{base_url}/api/objections", params={"category": "horoscope"})

    assert_error(response, 400, field="category")


def test_the_library_is_read_only(base_url: str, http: requests.Session) -> None:
    response = http.post(f"{base_url}/api/objections", json={"trigger_text": "x"})

    assert_error(response, 404)
