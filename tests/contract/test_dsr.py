"""Data-subject requests over HTTP: POST /api/dsr/export (write scope) and POST /api/dsr/erase (admin scope)."""

from __future__ import annotations

import pytest
import requests

from tests.contract.helpers import Account, assert_error, mint_key, sign_up_and_log_in

NUMBER = "+919876543210"
EXPORT_KEYS = {"contact", "audience", "calls", "approvals", "timeline", "dnc", "consent_audit", "recordings_zip_url",
               "generated_at", "callbacks", "webhook_deliveries"}


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url, country="IN")


def test_export_returns_the_contacts_dnc_rows_and_timeline(base_url: str, http: requests.Session,
                                                           owner: Account) -> None:
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER, "reason": "asked"})

    response = http.post(f"{base_url}/api/dsr/export", headers=owner.auth, json={"phone": "98765 43210"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == EXPORT_KEYS
    assert body["contact"] == {"phone_e164": NUMBER, "email": None}
    assert [(row["record"], row["phone_e164"]) for row in body["dnc"]] == [("entry", NUMBER), ("audit", NUMBER)]
    assert [event["kind"] for event in body["timeline"]] == ["dnc"]
    assert body["calls"] == [] and body["recordings_zip_url"] is None


def test_erase_pseudonymises_the_audit_rows_and_is_idempotent(base_url: str, http: requests.Session,
                                                              owner: Account) -> None:
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER})

    first = http.post(f"{base_url}/api/dsr/erase", headers=owner.auth, json={"phone": NUMBER})
    second = http.post(f"{base_url}/api/dsr/erase", headers=owner.auth, json={"phone": NUMBER})
    after = http.post(f"{base_url}/api/dsr/export", headers=owner.auth, json={"phone": NUMBER}).json()

    assert first.status_code == 200, first.text
    assert first.json()["erased"] is True and first.json()["pseudonymised"]["dnc_audit"] == 1
    assert first.json()["deleted"]["timeline"] == 1
    assert second.status_code == 200 and set(second.json()["pseudonymised"].values()) == {0}
    assert second.json()["contact_hash"] == first.json()["contact_hash"]
    assert after["timeline"] == [] and [row["record"] for row in after["dnc"]] == ["audit"]
    assert after["dnc"][0]["phone_e164"].startswith("erased:") and NUMBER not in str(after["dnc"])
    listed = http.get(f"{base_url}/dnc", headers=owner.auth).json()
    assert NUMBER not in str(listed)


def test_export_needs_write_scope_and_erase_needs_admin(base_url: str, http: requests.Session,
                                                        owner: Account) -> None:
    read_key = mint_key(http, base_url, owner, scope="read")["secret"]
    write_key = mint_key(http, base_url, owner, scope="write")["secret"]

    read_export = http.post(f"{base_url}/api/dsr/export", headers={"Authorization": f"Bearer {read_key}"},
                            json={"phone": NUMBER})
    write_erase = http.post(f"{base_url}/api/dsr/erase", headers={"Authorization": f"Bearer {write_key}"},
                            json={"phone": NUMBER})
    anonymous = http.post(f"{base_url}/api/dsr/export", json={"phone": NUMBER})

    assert_error(read_export, 403)
    assert_error(write_erase, 403)
    assert_error(anonymous, 401)


def test_the_references_body_contact_identifier_exports_and_erases(base_url: str, http: requests.Session,
                                                                   owner: Account) -> None:
    # Given a contact on the DNC list, and the request bodies exactly as the reference writes them
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER, "reason": "asked"})

    exported = http.post(f"{base_url}/dsr/export", headers=owner.auth, json={"contact_identifier": "98765 43210"})
    by_email = http.post(f"{base_url}/dsr/export", headers=owner.auth,
                         json={"contact_identifier": "Asha.Rao@Example.com"})
    erased = http.post(f"{base_url}/dsr/erase", headers=owner.auth, json={"contact_identifier": NUMBER})

    assert exported.status_code == 200, exported.text
    assert exported.json()["contact"] == {"phone_e164": NUMBER, "email": None}
    assert [row["record"] for row in exported.json()["dnc"]] == ["entry", "audit"]
    assert by_email.status_code == 200, by_email.text
    assert by_email.json()["contact"] == {"phone_e164": None, "email": "asha.rao@example.com"}
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] is True and erased.json()["pseudonymised"]["dnc_audit"] == 1


def test_no_identifier_is_a_400_on_contact_identifier(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.post(f"{base_url}/api/dsr/export", headers=owner.auth, json={})

    assert_error(response, 400, code="IDENTIFIER_REQUIRED", field="contact_identifier")


def test_two_identifiers_are_a_400(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.post(f"{base_url}/dsr/export", headers=owner.auth,
                         json={"contact_identifier": NUMBER, "email": "asha@example.com"})

    assert_error(response, 400, code="AMBIGUOUS_IDENTIFIER", field="contact_identifier")


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"phone": "+91 12"}, "INVALID_PHONE_NUMBER", "phone"),
    ({"contact_identifier": "+91 12"}, "INVALID_CONTACT_IDENTIFIER", "contact_identifier"),
    ({"contact_identifier": "asha@nowhere"}, "INVALID_EMAIL", "contact_identifier"),
])
def test_a_malformed_identifier_is_a_400_naming_its_field(base_url: str, http: requests.Session, owner: Account,
                                                          body: dict, code: str, field: str) -> None:
    response = http.post(f"{base_url}/api/dsr/erase", headers=owner.auth, json=body)

    assert_error(response, 400, code=code, field=field)
