"""GET /billing/precheck and GET /billing/history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.billing import ledger, reservations
from shared.platform import clock
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration


def test_precheck_is_ok_when_the_expected_minutes_fit(api):
    owner = sign_up_and_log_in(api)
    body = api.get("/billing/precheck", token=owner.token, query="expected_seconds=181").body
    assert body == {"status": "ok", "balance_minor": 500, "available_minor": 500, "required_minor": 48,
                    "currency": "USD"}


def test_precheck_counts_reservations(api):
    owner = sign_up_and_log_in(api)
    reservations.reserve(owner.tenant_id, 480, "res_1")
    body = api.get("/billing/precheck", token=owner.token, query="expected_seconds=180").body
    assert (body["status"], body["available_minor"], body["required_minor"]) == ("insufficient_funds", 20, 36)


def test_precheck_says_trial_expired_after_the_trial_on_the_free_plan(api):
    key = mint_key(api, sign_up_and_log_in(api), scope="read")["secret"]  # a session would have expired
    clock.freeze(clock.now() + timedelta(days=15))
    assert api.get("/billing/precheck", token=key, query="expected_seconds=60").body["status"] == "trial_expired"


def test_precheck_says_account_suspended_for_a_suspended_tenant(api, monkeypatch):
    from shared.accounts import repository as accounts

    owner = sign_up_and_log_in(api)
    real = accounts.get_tenant
    monkeypatch.setattr(accounts, "get_tenant", lambda tid: real(tid).model_copy(update={"status": "suspended"}))
    assert api.get("/billing/precheck", token=owner.token).body["status"] == "account_suspended"


def test_precheck_rejects_negative_seconds(api):
    owner = sign_up_and_log_in(api)
    reply = api.get("/billing/precheck", token=owner.token, query="expected_seconds=-1")
    assert reply.status == 400 and reply.body["field"] == "expected_seconds"


def test_precheck_of_a_long_call_answers_insufficient_funds_not_400(api):
    # 10,000,000 s (~116 days) is a long call, but a valid question: the answer is the money it needs
    owner = sign_up_and_log_in(api)
    reply = api.get("/billing/precheck", token=owner.token, query="expected_seconds=10000000")
    assert reply.status == 200, reply.body
    assert reply.body == {"status": "insufficient_funds", "balance_minor": 500, "available_minor": 500,
                          "required_minor": 166_667 * 12, "currency": "USD"}


def test_precheck_refuses_only_the_absurd_more_than_a_year(api):
    owner = sign_up_and_log_in(api)
    a_year = api.get("/billing/precheck", token=owner.token, query="expected_seconds=31536000")
    beyond = api.get("/billing/precheck", token=owner.token, query="expected_seconds=31536001")
    huge = api.get("/billing/precheck", token=owner.token, query="expected_seconds=" + "9" * 40)
    assert (a_year.status, a_year.body["status"]) == (200, "insufficient_funds")
    assert (beyond.status, beyond.body["field"]) == (400, "expected_seconds")
    assert (huge.status, huge.body["field"]) == (400, "expected_seconds")


def test_history_is_newest_first_and_pages_with_a_cursor(api):
    owner = sign_up_and_log_in(api)
    for n in range(3):
        ledger.debit_wallet(owner.tenant_id, 10 + n, kind="call_charge", description=f"Call {n}", reference_id=None)
    key = mint_key(api, owner, scope="read")["secret"]

    first = api.get("/billing/history", token=key, query="limit=2").body
    assert [e["amount_minor"] for e in first["entries"]] == [-12, -11]
    assert first["entries"][0]["balance_after_minor"] == 467 and first["entries"][0]["created_at"].endswith("Z")
    rest = api.get("/billing/history", token=key, query=f"limit=2&cursor={first['next_cursor']}").body
    assert [e["kind"] for e in rest["entries"]] == ["call_charge", "trial_credit"]
    assert rest["next_cursor"] is None or api.get(
        "/billing/history", token=key, query=f"cursor={rest['next_cursor']}").body["entries"] == []


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "cursor=bm90LWEtbGVkZ2Vy"])
def test_history_rejects_bad_limits_and_cursors(api, query):
    owner = sign_up_and_log_in(api)
    reply = api.get("/billing/history", token=owner.token, query=query)
    assert reply.status == 400 and reply.body["field"] in {"limit", "cursor"}
