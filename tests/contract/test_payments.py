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


def _signed_event(http: requests.Session, base_url: str, secret: str, event_id: str, data: dict) -> None:
    body = json.dumps({"id": event_id, "type": "checkout.succeeded", "data": data}).encode()
    headers = {**JSON_CONTENT, **signature_headers(secret, int(time.time()), body)}
    response = http.post(f"{base_url}{WEBHOOK}", data=body, headers=headers)
    assert (response.status_code, response.json()) == (200, {"received": True}), response.text


def _history_until(http: requests.Session, base_url: str, token: str, kind: str) -> list[dict]:
    deadline = time.monotonic() + 10
    while True:
        entries = http.get(f"{base_url}/billing/history", headers=bearer(token)).json()["entries"]
        if any(entry["kind"] == kind for entry in entries) or time.monotonic() > deadline:
            return entries
        time.sleep(0.2)


def test_a_signed_event_claiming_more_than_its_intent_is_held_for_review_never_credited(
        base_url: str, http: requests.Session, webhook_secret: str) -> None:
    # Given a pending top-up of 500
    account = sign_up_and_log_in(http, base_url)
    created = http.post(f"{base_url}/billing/topup", json={"amount_minor": 500}, headers=bearer(account.token))
    assert created.status_code == 201, created.text
    topup = created.json()

    # When a correctly signed event for that checkout claims 9,000,000
    _signed_event(http, base_url, webhook_secret, f"evt_attack_{topup['intent_id']}",
                  {"external_id": topup["external_id"], "amount_minor": 9_000_000, "currency": "USD"})

    # Then the wallet history shows it held for review (amount 0), and the balance did not move
    entries = _history_until(http, base_url, account.token, "payment_review")
    [review] = [entry for entry in entries if entry["kind"] == "payment_review"]
    assert (review["amount_minor"], review["reference_id"]) == (0, topup["intent_id"])
    assert _balance(http, base_url, account.token) == TRIAL_CREDIT_MINOR

    # and the genuine payment of the intent still credits its 500, once
    _signed_event(http, base_url, webhook_secret, f"evt_real_{topup['intent_id']}",
                  {"external_id": topup["external_id"], "amount_minor": 500, "currency": "USD"})
    assert _balance_after_credit(http, base_url, account.token, TRIAL_CREDIT_MINOR) == TRIAL_CREDIT_MINOR + 500
    assert [entry["amount_minor"] for entry in _history_until(http, base_url, account.token, "topup")
            if entry["kind"] in ("topup", "payment_review")] == [500, 0]
