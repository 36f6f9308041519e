"""Compliance & DNC over HTTP: /dnc, /dnc/add, /dnc/{phone_e164}, /dnc/check, /dnc/import."""

from __future__ import annotations

import pytest
import requests

from tests.contract.helpers import Account, assert_error, mint_key, sign_up_and_log_in

NUMBER = "+919876543210"
NCPR_SAMPLE_NUMBER = "+919000000001"  # in infra_local/ncpr_sample.csv


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url, country="IN")


def test_add_returns_the_entry_in_e164(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": "09876543210", "reason": "r"})

    assert response.status_code == 200, response.text
    entry = response.json()["entry"]
    assert set(entry) == {"id", "phone_e164", "reason", "added_at"}
    assert (entry["phone_e164"], entry["reason"]) == (NUMBER, "r")


def test_re_adding_is_idempotent(base_url: str, http: requests.Session, owner: Account) -> None:
    first = http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER}).json()["entry"]
    second = http.post(f"{base_url}/api/dnc/add", headers=owner.auth,
                       json={"phone_e164": NUMBER, "reason": "again"}).json()["entry"]

    assert second["id"] == first["id"] and second["reason"] == "again"
    assert http.get(f"{base_url}/dnc", headers=owner.auth).json()["total"] == 1


def test_an_invalid_number_is_a_400_on_phone_e164(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": "+91 12"})

    assert_error(response, 400, field="phone_e164")


def test_list_is_paginated(base_url: str, http: requests.Session, owner: Account) -> None:
    for phone in ("+919876543211", "+919876543212", "+919876543213"):
        http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": phone})

    body = http.get(f"{base_url}/dnc?limit=2&offset=2", headers=owner.auth).json()

    assert [entry["phone_e164"] for entry in body["entries"]] == ["+919876543213"]
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 2)


def test_delete_with_an_url_encoded_plus(base_url: str, http: requests.Session, owner: Account) -> None:
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER})

    removed = http.delete(f"{base_url}/dnc/%2B919876543210", headers=owner.auth)
    again = http.delete(f"{base_url}/dnc/%2B919876543210", headers=owner.auth)

    assert removed.status_code == 200 and removed.json()["phone_e164"] == NUMBER
    assert_error(again, 404, code="DNC_ENTRY_NOT_FOUND")


def test_check_sees_the_sample_ncpr_registry(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.get(f"{base_url}/dnc/check", headers=owner.auth, params={"phone_e164": NCPR_SAMPLE_NUMBER})

    assert response.json() == {"phone_e164": NCPR_SAMPLE_NUMBER, "on_dnc": False, "on_ncpr": True,
                               "in_cooldown": False, "would_be_filtered": True}


def test_check_of_a_clean_number(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.get(f"{base_url}/dnc/check", headers=owner.auth, params={"phone_e164": "+919812300000"})

    assert response.status_code == 200 and response.json()["would_be_filtered"] is False


def test_json_import_counts(base_url: str, http: requests.Session, owner: Account) -> None:
    rows = [{"phone_e164": NUMBER}, {"phone_e164": NUMBER}, {"phone_e164": "nope"}]

    response = http.post(f"{base_url}/dnc/import", headers=owner.auth, json={"rows": rows})

    assert response.json() == {"added": 1, "skipped_existing": 1, "skipped_invalid": 1}


def test_csv_import_over_multipart(base_url: str, http: requests.Session, owner: Account) -> None:
    csv_file = "\ufeffMobile,Reason\r\n+91 98765 43210,asked\r\n12345,junk\r\n".encode()

    response = http.post(f"{base_url}/dnc/import", headers=owner.auth,
                         files={"file": ("dnc.csv", csv_file, "text/csv")})

    assert response.json() == {"added": 1, "skipped_existing": 0, "skipped_invalid": 1}


def test_a_read_key_cannot_change_the_list(base_url: str, http: requests.Session, owner: Account) -> None:
    key = mint_key(http, base_url, owner, scope="read")["secret"]
    headers = {"Authorization": f"Bearer {key}"}

    assert http.get(f"{base_url}/dnc", headers=headers).status_code == 200
    assert_error(http.post(f"{base_url}/dnc/add", headers=headers, json={"phone_e164": NUMBER}), 403)


def test_tenants_are_isolated(base_url: str, http: requests.Session, owner: Account) -> None:
    stranger = sign_up_and_log_in(http, base_url, country="IN")
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER})

    assert http.get(f"{base_url}/dnc", headers=stranger.auth).json()["total"] == 0
    assert_error(http.delete(f"{base_url}/dnc/%2B919876543210", headers=stranger.auth), 404)


@pytest.mark.parametrize(("method", "path"), [("GET", "/dnc"), ("POST", "/dnc/add"), ("DELETE", "/dnc/%2B919876543210"),
                                              ("GET", "/dnc/check?phone_e164=1"), ("POST", "/dnc/import")])
def test_every_route_needs_credentials(base_url: str, http: requests.Session, method: str, path: str) -> None:
    # A well-formed body, so only the missing credentials can be at fault
    assert_error(http.request(method, f"{base_url}{path}", json={"phone_e164": NUMBER}), 401)
