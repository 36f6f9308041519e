"""API keys: mint, list, revoke and delete — logged-in users only ("JWT only" in the reference)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.contract.helpers import (
    JSON_CONTENT,
    MALFORMED_BODIES,
    Account,
    assert_client_error,
    assert_error,
    bearer,
    list_keys,
    mint_key,
    new_session,
    revoke_key,
    sign_up_and_log_in,
)

MAX_ACTIVE_KEYS = 10
PREFIX_LENGTH = 14  # "cf_live_" + 6 characters
SECRET_SHAPE = re.compile(r"^cf_live_[0-9A-Za-z]{32,}$")
LISTED_FIELDS = {"id", "name", "prefix", "scope", "status", "created_at", "created_by_user_id", "expires_at",
                 "last_used_at", "last_used_ip", "revoked_at", "revoked_reason"}
KEY_ROUTES = [("GET", "/api-keys"), ("POST", "/api-keys"), ("POST", "/api-keys/{id}/revoke"),
              ("DELETE", "/api-keys/{id}")]


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _balance(http: requests.Session, base_url: str, secret: str) -> requests.Response:
    return http.get(f"{base_url}/billing/balance", headers=bearer(secret))


def _mint(http: requests.Session, base_url: str, account: Account, body: object) -> requests.Response:
    return http.post(f"{base_url}/api-keys", headers=account.auth, json=body)


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    """A logged-in owner of a fresh workspace."""
    return sign_up_and_log_in(http, base_url)


# --- POST /api-keys -------------------------------------------------------------------------------------------


def test_minting_returns_a_cf_live_secret_once_with_its_14_character_prefix(base_url: str, http: requests.Session,
                                                                           owner: Account) -> None:
    # When the owner mints a key
    response = _mint(http, base_url, owner, {"name": "ci robot"})

    # Then the full secret is returned, with the prefix that identifies it later
    assert response.status_code == 201
    key = response.json()
    assert SECRET_SHAPE.match(key["secret"]), key["secret"]
    assert len(key["prefix"]) == PREFIX_LENGTH
    assert key["secret"].startswith(key["prefix"])
    assert key["name"] == "ci robot"
    assert key["status"] == "active"


def test_a_key_minted_without_a_scope_has_the_admin_scope(base_url: str, http: requests.Session,
                                                          owner: Account) -> None:
    # When a key is minted without naming a scope
    key = mint_key(http, base_url, owner)

    # Then it gets the default scope
    assert key["scope"] == "admin"


def test_a_key_minted_without_an_expiry_never_expires(base_url: str, http: requests.Session, owner: Account) -> None:
    # When a key is minted with neither expires_in_days nor expires_at
    key = mint_key(http, base_url, owner)

    # Then it has no expiry
    assert key["expires_at"] is None


def test_a_key_with_expires_in_days_30_expires_30_days_from_now(base_url: str, http: requests.Session,
                                                                owner: Account) -> None:
    # When a key is minted to expire in 30 days
    key = mint_key(http, base_url, owner, expires_in_days=30)

    # Then it expires 30 days from now
    expected = datetime.now(UTC) + timedelta(days=30)
    assert abs(_parse(key["expires_at"]) - expected) < timedelta(minutes=1)


def test_a_key_with_an_expires_at_date_expires_then(base_url: str, http: requests.Session, owner: Account) -> None:
    # When a key is minted with an explicit expiry date
    key = mint_key(http, base_url, owner, expires_at="2099-12-31T00:00:00Z")

    # Then it expires at that moment
    assert _parse(key["expires_at"]) == datetime(2099, 12, 31, tzinfo=UTC)


def test_an_expires_at_with_an_offset_reads_the_same_at_minting_as_in_the_list(base_url: str,
                                                                              http: requests.Session,
                                                                              owner: Account) -> None:
    # Given a key minted with an expiry written with a UTC offset
    minted = mint_key(http, base_url, owner, expires_at="2099-12-31T00:00:00+05:30")

    # When the workspace's keys are listed
    listed = next(key for key in list_keys(http, base_url, owner) if key["id"] == minted["id"])

    # Then both responses show the key's expiry the same way
    assert minted["expires_at"] == listed["expires_at"]


def test_giving_both_expires_in_days_and_expires_at_is_refused(base_url: str, http: requests.Session,
                                                              owner: Account) -> None:
    # When both ways of setting an expiry are given
    response = _mint(http, base_url, owner,
                     {"name": "both", "expires_in_days": 30, "expires_at": "2099-12-31T00:00:00Z"})

    # Then the request is refused
    assert_error(response, 400)


def test_an_unknown_scope_is_refused(base_url: str, http: requests.Session, owner: Account) -> None:
    # When a key is asked for with a scope the API does not know
    response = _mint(http, base_url, owner, {"name": "root", "scope": "root"})

    # Then the scope field is blamed
    assert_error(response, 400, field="scope")


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 121}],
                         ids=["missing", "empty", "blank", "121 characters"])
def test_a_missing_blank_or_too_long_name_is_refused(base_url: str, http: requests.Session, owner: Account,
                                                     body: dict) -> None:
    # When a key is minted without a usable name
    response = _mint(http, base_url, owner, body)

    # Then the name field is blamed
    assert_error(response, 400, field="name")


def test_a_name_of_120_characters_is_accepted(base_url: str, http: requests.Session, owner: Account) -> None:
    # When a key is minted with a name at the maximum length
    response = _mint(http, base_url, owner, {"name": "x" * 120})

    # Then it is created
    assert response.status_code == 201


def test_the_eleventh_active_key_is_refused_with_api_key_limit_reached(base_url: str, http: requests.Session,
                                                                       owner: Account) -> None:
    # Given a workspace with the maximum number of active keys
    for number in range(MAX_ACTIVE_KEYS):
        mint_key(http, base_url, owner, name=f"key {number}")

    # When one more is minted
    response = _mint(http, base_url, owner, {"name": "one too many"})

    # Then the cap is reported
    assert_error(response, 400, code="API_KEY_LIMIT_REACHED")


def test_revoking_a_key_at_the_cap_makes_room_for_a_new_one(base_url: str, http: requests.Session,
                                                            owner: Account) -> None:
    # Given a workspace at the cap, which then revokes one key
    keys = [mint_key(http, base_url, owner, name=f"key {number}") for number in range(MAX_ACTIVE_KEYS)]
    assert revoke_key(http, base_url, owner, keys[0]["id"]).status_code == 200

    # When a new key is minted
    response = _mint(http, base_url, owner, {"name": "replacement"})

    # Then it is created
    assert response.status_code == 201


# --- GET /api-keys --------------------------------------------------------------------------------------------


def test_listing_shows_every_key_with_the_contract_fields_and_never_a_secret(base_url: str, http: requests.Session,
                                                                            owner: Account) -> None:
    # Given two keys, one of them revoked
    active = mint_key(http, base_url, owner, name="active", scope="read")
    revoked = mint_key(http, base_url, owner, name="revoked")
    assert revoke_key(http, base_url, owner, revoked["id"]).status_code == 200

    # When the keys are listed
    response = http.get(f"{base_url}/api-keys", headers=owner.auth)

    # Then both appear, with every field of the reference and without their secrets
    assert response.status_code == 200
    keys = {key["id"]: key for key in response.json()["keys"]}
    assert keys.keys() == {active["id"], revoked["id"]}
    for key in keys.values():
        assert key.keys() >= LISTED_FIELDS
        assert "secret" not in key
    assert active["secret"] not in response.text and revoked["secret"] not in response.text
    assert keys[active["id"]]["status"] == "active"
    assert keys[revoked["id"]]["status"] == "revoked"


def test_a_listed_key_names_the_user_who_created_it(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given a key minted by the owner
    key = mint_key(http, base_url, owner)

    # When the keys are listed
    [listed] = list_keys(http, base_url, owner)

    # Then the key records who created it
    assert listed["id"] == key["id"]
    assert listed["created_by_user_id"] == owner.user_id


def test_using_a_key_records_when_and_from_where_it_was_last_used(base_url: str, http: requests.Session,
                                                                  owner: Account) -> None:
    # Given a key that has never been used
    key = mint_key(http, base_url, owner)
    assert key["last_used_at"] is None and key["last_used_ip"] is None

    # When it reads the balance
    assert _balance(http, base_url, key["secret"]).status_code == 200

    # Then the list shows when and from which address it was used
    [listed] = list_keys(http, base_url, owner)
    assert abs(_parse(listed["last_used_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert listed["last_used_ip"] == "127.0.0.1"


# --- "JWT only": API keys and anonymous clients are refused ----------------------------------------------------


@pytest.mark.parametrize(("method", "path"), KEY_ROUTES, ids=[f"{m} {p}" for m, p in KEY_ROUTES])
def test_an_api_key_cannot_manage_api_keys(base_url: str, http: requests.Session, owner: Account, method: str,
                                           path: str) -> None:
    # Given an admin-scope API key of the workspace
    key = mint_key(http, base_url, owner, scope="admin")

    # When the key itself calls a key-management route
    response = http.request(method, f"{base_url}{path.format(id=key['id'])}", headers=bearer(key["secret"]),
                            json={"name": "minted by a key"} if path == "/api-keys" and method == "POST" else None)

    # Then it is forbidden: these routes need a logged-in user
    assert_error(response, 403)


@pytest.mark.parametrize(("method", "path"), KEY_ROUTES, ids=[f"{m} {p}" for m, p in KEY_ROUTES])
def test_key_management_without_credentials_answers_401(base_url: str, method: str, path: str) -> None:
    # Given a client with no credentials
    with new_session() as anonymous:
        # When it calls a key-management route
        response = anonymous.request(method, f"{base_url}{path.format(id='key_anything')}",
                                     json={"name": "anonymous"} if method == "POST" else None)

    # Then authentication is required
    assert_error(response, 401)


# --- POST /api-keys/{id}/revoke -------------------------------------------------------------------------------


def test_revoking_a_key_records_when_and_why(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given an active key
    key = mint_key(http, base_url, owner)

    # When it is revoked with a reason
    response = revoke_key(http, base_url, owner, key["id"], reason="leaked in a CI log")

    # Then the row shows it revoked, when, and why
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == key["id"]
    assert body["status"] == "revoked"
    assert abs(_parse(body["revoked_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert body["revoked_reason"] == "leaked in a CI log"


def test_a_revoke_reason_of_81_characters_is_refused(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given an active key
    key = mint_key(http, base_url, owner)

    # When it is revoked with a reason one character over the limit
    response = revoke_key(http, base_url, owner, key["id"], reason="x" * 81)

    # Then the reason is blamed and the key stays active
    assert_error(response, 400, field="reason")
    assert list_keys(http, base_url, owner)[0]["status"] == "active"


def test_revoking_a_revoked_key_again_changes_nothing(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given a key revoked once
    key = mint_key(http, base_url, owner)
    first = revoke_key(http, base_url, owner, key["id"], reason="first").json()
    time.sleep(1.1)  # timestamps have 1 s resolution: a re-stamp would now show

    # When it is revoked again
    again = revoke_key(http, base_url, owner, key["id"], reason="second")

    # Then the call succeeds as a no-op
    assert again.status_code == 200
    assert again.json()["revoked_at"] == first["revoked_at"]
    assert again.json()["revoked_reason"] == "first"


def test_a_revoked_key_is_refused_at_once(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given a key that works
    key = mint_key(http, base_url, owner)
    assert _balance(http, base_url, key["secret"]).status_code == 200

    # When it is revoked and then used straight away
    assert revoke_key(http, base_url, owner, key["id"]).status_code == 200
    response = _balance(http, base_url, key["secret"])

    # Then it is refused
    assert_error(response, 401)


def test_a_key_with_a_corrupted_checksum_is_refused(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given a real key with its last character changed
    secret = mint_key(http, base_url, owner)["secret"]
    corrupted = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    # When the corrupted key is used
    response = _balance(http, base_url, corrupted)

    # Then it is refused
    assert_error(response, 401)


# --- DELETE /api-keys/{id} ------------------------------------------------------------------------------------


def test_deleting_an_active_key_answers_409(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given an active key
    key = mint_key(http, base_url, owner)

    # When it is deleted without being revoked first
    response = http.delete(f"{base_url}/api-keys/{key['id']}", headers=owner.auth)

    # Then the delete conflicts with the key's state, and the key still works
    assert_error(response, 409)
    assert _balance(http, base_url, key["secret"]).status_code == 200


def test_deleting_a_revoked_key_removes_it_from_the_list(base_url: str, http: requests.Session,
                                                         owner: Account) -> None:
    # Given a revoked key
    key = mint_key(http, base_url, owner)
    assert revoke_key(http, base_url, owner, key["id"]).status_code == 200

    # When it is deleted
    response = http.delete(f"{base_url}/api-keys/{key['id']}", headers=owner.auth)

    # Then the delete succeeds and the key is gone
    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert key["id"] not in {listed["id"] for listed in list_keys(http, base_url, owner)}


@pytest.mark.parametrize(("method", "path"), [("POST", "/api-keys/{id}/revoke"), ("DELETE", "/api-keys/{id}")],
                         ids=["revoke", "delete"])
def test_an_unknown_key_id_answers_404(base_url: str, http: requests.Session, owner: Account, method: str,
                                       path: str) -> None:
    # When a key id that does not exist is revoked or deleted
    response = http.request(method, f"{base_url}{path.format(id='key_doesnotexist0000')}", headers=owner.auth)

    # Then it is not found
    assert_error(response, 404)


# --- tenant isolation -----------------------------------------------------------------------------------------


def test_another_tenant_does_not_see_a_key_in_its_list(base_url: str, http: requests.Session,
                                                       owner: Account) -> None:
    # Given a key in workspace A and a user of workspace B
    key = mint_key(http, base_url, owner)
    other = sign_up_and_log_in(http, base_url)

    # When B lists its keys
    listed = list_keys(http, base_url, other)

    # Then A's key is not there
    assert key["id"] not in {entry["id"] for entry in listed}


def test_another_tenant_cannot_revoke_a_key(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given a key in workspace A and a user of workspace B
    key = mint_key(http, base_url, owner)
    other = sign_up_and_log_in(http, base_url)

    # When B tries to revoke A's key by its id
    response = revoke_key(http, base_url, other, key["id"])

    # Then the key is not found for B, and it still works for A
    assert_error(response, 404)
    assert _balance(http, base_url, key["secret"]).status_code == 200


def test_another_tenant_cannot_delete_a_revoked_key(base_url: str, http: requests.Session, owner: Account) -> None:
    # Given a revoked key in workspace A and a user of workspace B
    key = mint_key(http, base_url, owner)
    assert revoke_key(http, base_url, owner, key["id"]).status_code == 200
    other = sign_up_and_log_in(http, base_url)

    # When B tries to delete A's key by its id
    response = http.delete(f"{base_url}/api-keys/{key['id']}", headers=other.auth)

    # Then the key is not found for B, and A still has it
    assert_error(response, 404)
    assert key["id"] in {entry["id"] for entry in list_keys(http, base_url, owner)}


# --- bad input never gives a 500 ------------------------------------------------------------------------------

MINT_BODIES = {
    **MALFORMED_BODIES,
    "a huge name": b'{"name": "' + b"x" * 200_000 + b'"}',
    "expires_in_days as text": b'{"name": "a", "expires_in_days": "thirty"}',
    "expires_at that is not a date": b'{"name": "a", "expires_at": "next tuesday"}',
}


@pytest.fixture(scope="module")
def shared_owner(http: requests.Session, base_url: str) -> Account:
    """One owner for the malformed-body tests: a correct API refuses every body, so nothing is created."""
    return sign_up_and_log_in(http, base_url)


@pytest.mark.parametrize("body", MINT_BODIES.values(), ids=MINT_BODIES.keys())
def test_minting_answers_a_malformed_body_with_a_4xx_error(base_url: str, http: requests.Session,
                                                           shared_owner: Account, body: bytes) -> None:
    # When a malformed body is posted as JSON by a logged-in user
    response = http.post(f"{base_url}/api-keys", data=body, headers={**shared_owner.auth, **JSON_CONTENT})

    # Then the client gets a 4xx with the contract's error body, never a 500
    assert_client_error(response)
