import re
from datetime import timedelta
from urllib.parse import unquote

import pytest

from shared.billing import repository as wallets
from shared.platform import clock
from tests.integration.conftest import sent_emails

pytestmark = pytest.mark.integration


def signup(api, email="Owner@Example.com", **extra):
    return api.post("/auth/signup", {"email": email, "password": "correct horse battery", **extra})


def verify_link_for(email):
    message = next(m for m in reversed(sent_emails()) if email in m.destinations["ToAddresses"])
    return unquote(re.search(r"token=(\S+)", message.body).group(1))


def test_signup_creates_tenant_owner_and_a_usd_trial_wallet_with_its_ledger_entry(api):
    created = signup(api, full_name="Asha Rao", country="GB")

    assert created.status == 201
    tenant, user = created.body["tenant"], created.body["user"]
    assert isinstance(tenant["id"], int) and tenant["status"] == "active" and tenant["plan_tier"] == "free"
    assert user["tenant_id"] == tenant["id"] and user["role"] == "owner" and user["email_verified"] is False
    assert user["email"] == "owner@example.com"
    wallet = wallets.get_wallet(tenant["id"])
    assert (wallet.currency, wallet.balance_minor, wallet.rate_per_minute_minor) == ("USD", 500, 12)
    entries = wallets.ledger(tenant["id"], limit=10)
    assert [(e.kind, e.amount_minor, e.balance_after_minor) for e in entries] == [("trial_credit", 500, 500)]


def test_indian_tenants_get_450_rupees(api):
    created = signup(api, country="IN")

    wallet = wallets.get_wallet(created.body["tenant"]["id"])
    assert (wallet.currency, wallet.balance_minor) == ("INR", 45000)


def test_a_duplicate_email_is_refused_and_writes_nothing(api):
    first = signup(api, email="dup@example.com")

    again = signup(api, email="DUP@example.com")

    assert again.status == 409 and again.body["code"] == "EMAIL_TAKEN" and again.body["field"] == "email"
    assert wallets.get_wallet(first.body["tenant"]["id"] + 1) is None


def test_signup_sends_a_verification_link_that_verifies_once_and_then_idempotently(api):
    created = signup(api, email="verify@example.com")
    assert created.body["verify_email_sent"] is True
    token = verify_link_for("verify@example.com")

    first = api.get("/auth/verify-email", query=f"token={token}")
    second = api.get("/auth/verify-email", query=f"token={token}")

    assert first.status == 200 and first.body["ok"] is True and first.body["email"] == "verify@example.com"
    assert second.body == first.body


def test_a_verification_link_older_than_24_hours_is_refused(api):
    signup(api, email="late@example.com")
    token = verify_link_for("late@example.com")
    clock.freeze(clock.now() + timedelta(hours=24, seconds=1))

    late = api.get("/auth/verify-email", query=f"token={token}")

    assert late.status == 400 and late.body["code"] == "TOKEN_EXPIRED" and late.body["field"] == "token"


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "a@example.com", "password": "short"}, "password"),
    ({"email": "not-an-email", "password": "long enough pw"}, "email"),
    ({"email": "a@example.com", "password": "long enough pw", "country": "FR"}, "country"),
    ({"password": "long enough pw"}, "email"),
])
def test_invalid_signups_name_the_offending_field(api, body, field):
    refused = api.post("/auth/signup", body)

    assert refused.status == 400
    assert refused.body["code"] == "VALIDATION_ERROR" and refused.body["field"] == field


def test_signup_still_succeeds_when_the_email_cannot_be_sent(api, monkeypatch):
    from shared.providers.email import port, selection

    monkeypatch.setattr(selection, "get_email_sender", lambda: port.DisabledEmailSender())
    monkeypatch.setattr("shared.accounts.service.get_email_sender", lambda: port.DisabledEmailSender())

    created = signup(api, email="nomail@example.com")

    assert created.status == 201 and created.body["verify_email_sent"] is False
