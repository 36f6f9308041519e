"""Billing: GET /billing/balance — the reference's "first request in 60 seconds", trial credit, isolation."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import requests

from tests.contract.helpers import (
    PASSWORD,
    Account,
    assert_error,
    bearer,
    mint_key,
    new_session,
    sign_up_and_log_in,
    unique_email,
)

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
BALANCE_FIELDS = {"tenant_id", "currency", "balance_minor", "plan_tier", "trial_expires_at",
                  "minutes_remaining_at_bundled_rate", "rate_per_minute_minor", "autocharge", "topup_presets_minor"}
USD_TOPUP_PRESETS = [1000, 2500, 5000, 10000, 25000]
USD_COUNTRIES = ["US", "GB", "AU", "CA", "SG", "AE"]


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _balance(http: requests.Session, base_url: str, credential: str, path: str = "/billing/balance") -> dict:
    response = http.get(f"{base_url}{path}", headers=bearer(credential))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_first_request_in_60_seconds_works_as_the_reference_shows(base_url: str, http: requests.Session) -> None:
    # Given the reference's three steps: an account, a login, and a key minted from it
    email = unique_email()
    signup = http.post(f"{base_url}/auth/signup", json={"email": email, "password": PASSWORD})
    assert signup.status_code == 201, signup.text
    login = http.post(f"{base_url}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    minted = http.post(f"{base_url}/api-keys", headers=bearer(login.json()["token"]), json={"name": "first request"})
    assert minted.status_code == 201, minted.text

    # When the smallest working call is sent, exactly as in the reference
    secret = minted.json()["secret"]
    response = http.get(f"{base_url}/api/billing/balance", headers={"Authorization": f"Bearer {secret}"})

    # Then it answers every field of the reference's expected response
    assert response.status_code == 200
    body = response.json()
    assert body.keys() >= BALANCE_FIELDS
    assert body["tenant_id"] == signup.json()["tenant"]["id"]
    assert body["currency"] == "USD"
    assert body["balance_minor"] == 500
    assert body["plan_tier"] == "free"
    assert RFC3339_UTC.match(body["trial_expires_at"]), body["trial_expires_at"]
    assert body["rate_per_minute_minor"] == 12
    assert body["minutes_remaining_at_bundled_rate"] == body["balance_minor"] // body["rate_per_minute_minor"]
    assert body["autocharge"] == {"enabled": False, "threshold_minor": None, "amount_minor": None}
    assert body["topup_presets_minor"] == USD_TOPUP_PRESETS


def test_the_trial_ends_after_the_workspace_was_created(base_url: str, http: requests.Session) -> None:
    # Given a new workspace
    account = sign_up_and_log_in(http, base_url)
    created_at = http.get(f"{base_url}/auth/me", headers=account.auth).json()["tenant"]["created_at"]

    # When its balance is read
    balance = _balance(http, base_url, account.token)

    # Then the trial expires some time after the workspace was created
    assert _parse(balance["trial_expires_at"]) > _parse(created_at)


@pytest.mark.parametrize("path", ["/billing/balance", "/v1/billing/balance", "/api/billing/balance"])
def test_the_balance_is_served_at_every_alias(base_url: str, http: requests.Session, path: str) -> None:
    # Given a workspace API key
    account = sign_up_and_log_in(http, base_url)
    key = mint_key(http, base_url, account)

    # When the balance is read at the path or one of its aliases
    balance = _balance(http, base_url, key["secret"], path)

    # Then it is this workspace's wallet
    assert balance["tenant_id"] == account.tenant_id
    assert balance["balance_minor"] == 500


def test_a_read_scope_key_may_read_the_balance(base_url: str, http: requests.Session) -> None:
    # Given a read-only key
    account = sign_up_and_log_in(http, base_url)
    key = mint_key(http, base_url, account, scope="read")

    # When it reads the balance
    response = http.get(f"{base_url}/billing/balance", headers=bearer(key["secret"]))

    # Then a GET is within its scope
    assert response.status_code == 200
    assert response.json()["tenant_id"] == account.tenant_id


def test_a_logged_in_user_may_read_the_balance_with_the_jwt(base_url: str, http: requests.Session) -> None:
    # Given a logged-in user
    account = sign_up_and_log_in(http, base_url)

    # When they read the balance with their bearer token
    balance = _balance(http, base_url, account.token)

    # Then it is their workspace's wallet
    assert balance["tenant_id"] == account.tenant_id


def test_the_balance_without_credentials_answers_401(base_url: str) -> None:
    # Given a client with no credentials
    with new_session() as anonymous:
        # When it reads a balance
        response = anonymous.get(f"{base_url}/billing/balance")

    # Then authentication is required
    assert_error(response, 401, code="AUTH_REQUIRED")


# --- trial credit by country ----------------------------------------------------------------------------------


def test_an_indian_workspace_starts_with_a_450_rupee_trial(base_url: str, http: requests.Session) -> None:
    # Given a workspace signed up from India
    account = sign_up_and_log_in(http, base_url, country="IN")

    # When its balance is read
    balance = _balance(http, base_url, account.token)

    # Then the trial credit is ₹450 in an INR wallet
    assert balance["currency"] == "INR"
    assert balance["balance_minor"] == 45000


def test_an_indian_workspace_has_minutes_remaining_at_its_rupee_rate(base_url: str, http: requests.Session) -> None:
    # Given a workspace signed up from India
    account = sign_up_and_log_in(http, base_url, country="IN")

    # When its balance is read
    balance = _balance(http, base_url, account.token)

    # Then the minutes remaining are the balance divided by its own per-minute rate
    assert balance["minutes_remaining_at_bundled_rate"] == balance["balance_minor"] // balance["rate_per_minute_minor"]


@pytest.mark.parametrize("country", USD_COUNTRIES)
def test_a_workspace_outside_india_starts_with_a_5_dollar_trial(base_url: str, http: requests.Session,
                                                                country: str) -> None:
    # Given a workspace signed up from a country other than India
    account = sign_up_and_log_in(http, base_url, country=country)

    # When its balance is read
    balance = _balance(http, base_url, account.token)

    # Then the trial credit is $5 in a USD wallet
    assert balance["currency"] == "USD"
    assert balance["balance_minor"] == 500


def test_a_workspace_without_a_country_starts_with_a_5_dollar_trial(base_url: str, http: requests.Session) -> None:
    # Given a workspace signed up without naming a country
    account = sign_up_and_log_in(http, base_url)

    # When its balance is read
    balance = _balance(http, base_url, account.token)

    # Then it gets the USD trial
    assert balance["currency"] == "USD"
    assert balance["balance_minor"] == 500


# --- tenant isolation -----------------------------------------------------------------------------------------


@pytest.fixture
def two_tenants(http: requests.Session, base_url: str) -> tuple[Account, Account]:
    """Two workspaces with different wallets (USD and INR), so a mix-up shows in the numbers too."""
    return sign_up_and_log_in(http, base_url, country="US"), sign_up_and_log_in(http, base_url, country="IN")


def test_each_tenants_token_reads_its_own_wallet(base_url: str, http: requests.Session,
                                                 two_tenants: tuple[Account, Account]) -> None:
    # Given two workspaces
    first, second = two_tenants

    # When each reads its balance with its own token
    first_balance = _balance(http, base_url, first.token)
    second_balance = _balance(http, base_url, second.token)

    # Then each sees its own wallet
    assert (first_balance["tenant_id"], first_balance["currency"]) == (first.tenant_id, "USD")
    assert (second_balance["tenant_id"], second_balance["currency"]) == (second.tenant_id, "INR")


def test_an_api_key_reads_its_own_wallet_even_beside_another_tenants_session_cookie(
        base_url: str, http: requests.Session, two_tenants: tuple[Account, Account]) -> None:
    # Given workspace A's key, sent by a client that also carries workspace B's session cookie
    first, second = two_tenants
    key = mint_key(http, base_url, first)

    # When the balance is read
    response = http.get(f"{base_url}/billing/balance", headers=bearer(key["secret"]),
                        cookies={"cf_session": second.token})

    # Then the key decides: it is A's wallet
    assert response.status_code == 200
    assert response.json()["tenant_id"] == first.tenant_id


# --- Precheck, history, top-up, autocharge (issue 4) --------------------------------------------------


def test_precheck_answers_ok_with_the_required_whole_minutes(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url, country="US")
    response = http.get(f"{base_url}/api/billing/precheck", params={"expected_seconds": 180}, headers=account.auth)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "balance_minor": 500, "available_minor": 500, "required_minor": 36,
                               "currency": "USD"}


def test_precheck_of_a_long_call_answers_insufficient_funds(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url, country="US")
    response = http.get(f"{base_url}/billing/precheck", params={"expected_seconds": 10_000_000}, headers=account.auth)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "insufficient_funds", "balance_minor": 500, "available_minor": 500,
                               "required_minor": 166_667 * 12, "currency": "USD"}


def test_precheck_refuses_more_than_a_year_naming_the_field(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url, country="US")
    response = http.get(f"{base_url}/billing/precheck", params={"expected_seconds": 31_536_001}, headers=account.auth)
    assert_error(response, 400, field="expected_seconds")


def test_history_starts_with_the_trial_credit(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url, country="US")
    response = http.get(f"{base_url}/billing/history", params={"limit": 50}, headers=account.auth)
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    assert [(e["kind"], e["amount_minor"], e["balance_after_minor"]) for e in entries] == [("trial_credit", 500, 500)]
    assert RFC3339_UTC.match(entries[0]["created_at"])


def test_history_refuses_more_than_200_entries_a_call(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url)
    assert_error(http.get(f"{base_url}/billing/history", params={"limit": 201}, headers=account.auth), 400,
                 field="limit")


def test_a_topup_is_a_pending_checkout_that_credits_nothing_yet(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url, country="US")
    response = http.post(f"{base_url}/billing/topup", json={"amount_minor": 2500}, headers=account.auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body.keys() >= {"intent_id", "amount_minor", "currency", "status", "external_id", "checkout_url"}
    assert (body["amount_minor"], body["currency"], body["status"]) == (2500, "USD", "pending")
    assert _balance(http, base_url, account.token)["balance_minor"] == 500


@pytest.mark.parametrize("amount", [0, 10_000_001])
def test_a_topup_outside_1_to_10_million_minor_units_is_a_400(base_url: str, http: requests.Session,
                                                              amount: int) -> None:
    account = sign_up_and_log_in(http, base_url)
    assert_error(http.post(f"{base_url}/billing/topup", json={"amount_minor": amount}, headers=account.auth), 400,
                 field="amount_minor")


def test_a_topup_replayed_with_its_idempotency_key_returns_the_same_intent(base_url: str,
                                                                           http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url)
    headers = {**account.auth, "Idempotency-Key": unique_email("idem")}
    first = http.post(f"{base_url}/billing/topup", json={"amount_minor": 1000}, headers=headers)
    again = http.post(f"{base_url}/billing/topup", json={"amount_minor": 1000}, headers=headers)
    other = http.post(f"{base_url}/billing/topup", json={"amount_minor": 2000}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")


def test_autocharge_is_saved_and_shown_in_the_balance(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url)
    config = {"enabled": True, "threshold_minor": 200, "amount_minor": 2500}
    response = http.post(f"{base_url}/billing/autocharge", json=config, headers=account.auth)
    assert response.status_code == 200, response.text
    assert response.json() == config
    assert _balance(http, base_url, account.token)["autocharge"] == config


def test_enabling_autocharge_without_an_amount_is_a_422(base_url: str, http: requests.Session) -> None:
    account = sign_up_and_log_in(http, base_url)
    assert_error(http.post(f"{base_url}/billing/autocharge", json={"enabled": True, "threshold_minor": 100},
                           headers=account.auth), 422, "INVALID_AUTOCHARGE", field="amount_minor")
