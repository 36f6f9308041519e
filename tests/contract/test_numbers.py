"""Numbers over HTTP against the local stack (sandbox carrier): search, provision, list, import, release."""

from __future__ import annotations

import random
import uuid

import pytest
import requests

from tests.contract.helpers import (
    MALFORMED_BODIES,
    Account,
    assert_client_error,
    assert_error,
    bearer,
    mint_key,
    sign_up_and_log_in,
)

NUMBER_FIELDS = {"id", "phone_e164", "country", "status", "provider", "provider_sid", "acquired_via", "capabilities",
                 "monthly_cost_minor", "currency", "voice_url", "status_callback_url", "created_at", "released_at"}


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url)


def _search(http, base_url, auth, **body) -> list[dict]:
    response = http.post(f"{base_url}/numbers/search", headers=auth, json={"country": "US", **body})
    assert response.status_code == 200, response.text
    return response.json()["numbers"]


def _fresh_number(http, base_url, auth) -> str:
    """A number nobody holds yet: a random area code and a random pick keep tests (and reruns) apart."""
    for _ in range(20):
        found = _search(http, base_url, auth, area_code=f"{random.randint(201, 989)}", limit=50)
        if found:
            return random.choice(found)["phone_e164"]
    raise AssertionError("no area code with numbers after 20 tries")


def test_search_provision_list_release(http: requests.Session, base_url: str, owner: Account) -> None:
    # Given a number from search
    phone = _fresh_number(http, base_url, owner.auth)

    # When the owner provisions, lists and releases it
    bought = http.post(f"{base_url}/numbers/provision", headers=owner.auth, json={"phone_e164": phone})
    listed = http.get(f"{base_url}/numbers", headers=owner.auth)
    released = http.post(f"{base_url}/numbers/{bought.json()['id']}/release", headers=owner.auth)

    # Then it was bought with this deployment's webhooks, listed, and released with its rent stopped
    assert bought.status_code == 201, bought.text
    assert set(bought.json()) == NUMBER_FIELDS and bought.json()["voice_url"].endswith("/webhooks/voice")
    assert [number["phone_e164"] for number in listed.json()["numbers"]] == [phone]
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert released.json()["released_at"] and released.json()["voice_url"] is None


def test_the_same_idempotency_key_buys_once(http: requests.Session, base_url: str, owner: Account) -> None:
    phone = _fresh_number(http, base_url, owner.auth)
    headers = {**owner.auth, "Idempotency-Key": uuid.uuid4().hex}

    first = http.post(f"{base_url}/numbers/provision", headers=headers, json={"phone_e164": phone})
    again = http.post(f"{base_url}/numbers/provision", headers=headers, json={"phone_e164": phone})

    assert first.status_code == again.status_code == 201 and first.json() == again.json()


def test_a_number_held_by_another_workspace_is_a_409(http: requests.Session, base_url: str, owner: Account) -> None:
    rival = sign_up_and_log_in(http, base_url)
    phone = _fresh_number(http, base_url, owner.auth)
    assert http.post(f"{base_url}/numbers/provision", headers=owner.auth, json={"phone_e164": phone}).ok

    refused = http.post(f"{base_url}/numbers/provision", headers=rival.auth, json={"phone_e164": phone})

    assert_error(refused, 409, "NUMBER_ALREADY_HELD")


def test_another_workspaces_number_cannot_be_released(http: requests.Session, base_url: str, owner: Account) -> None:
    stranger = sign_up_and_log_in(http, base_url)
    phone = _fresh_number(http, base_url, owner.auth)
    bought = http.post(f"{base_url}/numbers/provision", headers=owner.auth, json={"phone_e164": phone}).json()

    refused = http.post(f"{base_url}/numbers/{bought['id']}/release", headers=stranger.auth)

    assert_error(refused, 404, "NUMBER_NOT_FOUND")
    assert http.get(f"{base_url}/numbers", headers=stranger.auth).json() == {"numbers": []}


def test_importing_a_number_the_carrier_account_does_not_hold_is_a_404(http: requests.Session, base_url: str,
                                                                        owner: Account) -> None:
    phone = _fresh_number(http, base_url, owner.auth)

    refused = http.post(f"{base_url}/numbers/import", headers=owner.auth, json={"phone_e164": phone})

    assert_error(refused, 404, "NUMBER_NOT_OWNED", field="phone_e164")


@pytest.mark.parametrize(("scope", "allowed"), [("read", {"list", "search"}),
                                                 ("write", {"list", "search", "provision"}),
                                                 ("admin", {"list", "search", "provision", "release"})])
def test_api_key_scopes(http: requests.Session, base_url: str, owner: Account, scope: str, allowed: set) -> None:
    key = bearer(mint_key(http, base_url, owner, scope=scope)["secret"])
    phone = _fresh_number(http, base_url, owner.auth)
    held = http.post(f"{base_url}/numbers/provision", headers=owner.auth,
                     json={"phone_e164": _fresh_number(http, base_url, owner.auth)}).json()

    replies = {
        "list": http.get(f"{base_url}/numbers", headers=key),
        "search": http.post(f"{base_url}/numbers/search", headers=key, json={"country": "US"}),
        "provision": http.post(f"{base_url}/numbers/provision", headers=key, json={"phone_e164": phone}),
        "release": http.post(f"{base_url}/numbers/{held['id']}/release", headers=key),
    }

    for action, reply in replies.items():
        if action in allowed:
            assert reply.status_code in (200, 201), (action, reply.text)
        else:
            assert_error(reply, 403, "INSUFFICIENT_SCOPE")


@pytest.mark.parametrize(("body", "field"), [({"country": "US", "limit": 51}, "limit"), ({"country": "U1"}, "country"),
                                             ({"country": "US", "area_code": "41x"}, "area_code")])
def test_a_bad_search_names_the_field(http: requests.Session, base_url: str, owner: Account, body, field) -> None:
    assert_error(http.post(f"{base_url}/numbers/search", headers=owner.auth, json=body), 400, field=field)


def test_provisioning_a_non_number_is_a_400(http: requests.Session, base_url: str, owner: Account) -> None:
    refused = http.post(f"{base_url}/numbers/provision", headers=owner.auth, json={"phone_e164": "+91 12"})

    assert_error(refused, 400, "INVALID_PHONE_NUMBER", field="phone_e164")


@pytest.mark.parametrize("path", ["/numbers/search", "/numbers/provision", "/numbers/import"])
@pytest.mark.parametrize("label", sorted(MALFORMED_BODIES))
def test_malformed_bodies_are_client_errors(http: requests.Session, base_url: str, owner: Account, path: str,
                                            label: str) -> None:
    headers = {**owner.auth, "Content-Type": "application/json"}

    assert_client_error(http.post(f"{base_url}{path}", headers=headers, data=MALFORMED_BODIES[label]))


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/numbers", None), ("POST", "/numbers/search", {"country": "US"}),
    ("POST", "/numbers/provision", {"phone_e164": "+14155550123"}),
    ("POST", "/numbers/import", {"phone_e164": "+14155550123"}), ("POST", "/numbers/num_x/release", None)])
def test_every_route_needs_a_credential(http: requests.Session, base_url: str, method: str, path: str,
                                        body: dict | None) -> None:
    assert_error(http.request(method, f"{base_url}{path}", json=body), 401)
