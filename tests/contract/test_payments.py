"""Payments over HTTP: the signed webhook refuses what is not signed, and a sandbox checkout credits once."""

from __future__ import annotations

import json
import time

import requests

from shared.payments.signature import signature_headers
from tests.contract.helpers import JSON_CONTENT, assert_error, bearer, sign_up_and_log_in

WEBHOOK = "/billing/webhooks/payment"
EVENT = json.dumps({"id": "evt_contract", "type": "checkout.succeeded",
                    "data": {"external_id": "sbx_contract", "amount_minor": 1000, "currency": "USD"}}).encode()
TRIAL_CREDIT_MINOR = 500


def test_an_unsigned_webhook_is_400_signature_missing(base_url: str, http: requests.Session) -> None:
    response = http.post(f"{base_url}{WEBHOOK}", data=EVENT, headers=JSON_CONTENT)
    assert_error(response, 400, "SIGNATURE_MISSING")


def test_a_webhook_signed_with_a_wrong_secret_is_401_signature_invalid(base_url: str, http: requests.Session) -> None:
    headers = {**JSON_CONTENT, **signature_headers("whsec_not_ours", int(time.time()), EVENT)}
    response = http.post(f"{base_url}/api{WEBHOOK}", data=EVENT, headers=headers)
    assert_error(response, 401, "SIGNATURE_INVALID")


def test_sandbox_checkout_credits_the_wallet_once(base_url: str, http: requests.Session) -> None:
    # Given a pending top-up through the sandbox processor
    account = sign_up_and_log_in(http, base_url)
    created = http.post(f"{base_url}/billing/topup", json={"amount_minor": 2500}, headers=bearer(account.token))
    assert created.status_code == 201, created.text
    checkout_url = created.json()["checkout_url"]
    page = http.get(checkout_url)
    assert page.status_code == 200 and "25.00 USD" in page.text

    # When the checkout page's Pay button is pressed
    paid = http.post(checkout_url, json={"outcome": "succeeded"})
    assert paid.status_code == 202, paid.text

    # Then the wallet is credited once, although the sandbox delivers the webhook twice
    balance = _balance_after_credit(http, base_url, account.token, TRIAL_CREDIT_MINOR)
    assert balance == TRIAL_CREDIT_MINOR + 2500
    time.sleep(1.5)  # room for the duplicate delivery to be consumed too
    assert _balance(http, base_url, account.token) == TRIAL_CREDIT_MINOR + 2500


def _balance(http: requests.Session, base_url: str, token: str) -> int:
    response = http.get(f"{base_url}/billing/balance", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()["balance_minor"]


def _balance_after_credit(http: requests.Session, base_url: str, token: str, before: int) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        balance = _balance(http, base_url, token)
        if balance != before:
            return balance
        time.sleep(0.2)
    return before
