"""Top-ups and auto-recharge through the API, with a fake payment processor."""

from __future__ import annotations

import itertools

import pytest

from shared.billing import ledger, payment_processor, repository, topups
from shared.providers.payments.port import Checkout
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration


class FakeProcessor:
    name = "fake"

    def __init__(self, saved_method: bool = False) -> None:
        self.saved_method, self.checkouts, self.charges = saved_method, [], []
        self._ids = itertools.count(1)

    def create_checkout(self, intent_id, tenant_id, amount_minor, currency, return_url):
        self.checkouts.append((intent_id, tenant_id, amount_minor, currency, return_url))
        external_id = f"cs_{next(self._ids)}"
        return Checkout(external_id=external_id, checkout_url=f"https://pay.example/{external_id}")

    def charge_saved_method(self, tenant_id, amount_minor, currency, intent_id):
        self.charges.append((tenant_id, amount_minor, currency, intent_id))
        return Checkout(external_id=f"pi_{next(self._ids)}", checkout_url="") if self.saved_method else None


@pytest.fixture
def processor(monkeypatch):
    fake = FakeProcessor()
    monkeypatch.setattr(topups, "processor", lambda: fake)
    monkeypatch.setattr(payment_processor, "processor", lambda: fake)  # auto-recharge charges through it
    return fake


def test_a_topup_creates_a_pending_intent_and_credits_nothing(api, processor):
    owner = sign_up_and_log_in(api)
    reply = api.post("/billing/topup", {"amount_minor": 2500, "return_url": "https://app.example/done"},
                     token=owner.token)
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "pending" and reply.body["currency"] == "USD"
    assert reply.body["external_id"] == "cs_1" and reply.body["checkout_url"] == "https://pay.example/cs_1"
    assert processor.checkouts[0][1:] == (owner.tenant_id, 2500, "USD", "https://app.example/done")
    assert api.get("/billing/balance", token=owner.token).body["balance_minor"] == 500


@pytest.mark.parametrize("amount", [0, 10_000_001, "100"])
def test_a_topup_outside_the_limits_is_a_400(api, processor, amount):
    owner = sign_up_and_log_in(api)
    reply = api.post("/billing/topup", {"amount_minor": amount}, token=owner.token)
    assert reply.status == 400 and reply.body["field"] == "amount_minor"


def test_completing_a_topup_credits_once_per_event_and_once_per_intent(api, processor):
    owner = sign_up_and_log_in(api)
    external_id = api.post("/billing/topup", {"amount_minor": 2500}, token=owner.token).body["external_id"]

    assert topups.complete_topup(external_id, "evt_1", 2500, "usd") == "credited"
    assert topups.complete_topup(external_id, "evt_1", 2500, "USD") == "duplicate"  # the same event replayed
    assert topups.complete_topup(external_id, "evt_2", 2500, "USD") == "duplicate"  # another event, same payment

    assert api.get("/billing/balance", token=owner.token).body["balance_minor"] == 3000
    newest = api.get("/billing/history", token=owner.token).body["entries"][0]
    assert (newest["kind"], newest["amount_minor"], newest["balance_after_minor"]) == ("topup", 2500, 3000)


def test_completing_an_unknown_checkout_is_held_for_review_not_credited(api):
    assert topups.complete_topup("cs_unknown", "evt_1", 100, "USD") == "review"
    assert topups.complete_topup("cs_unknown", "evt_1", 100, "USD") == "duplicate"


def test_autocharge_settings_are_validated_and_shown_in_the_balance(api):
    owner = sign_up_and_log_in(api)
    missing = api.post("/billing/autocharge", {"enabled": True}, token=owner.token)
    assert missing.status == 422 and {e["field"] for e in missing.body["errors"]} == {"threshold_minor",
                                                                                        "amount_minor"}
    too_big = api.post("/billing/autocharge", {"enabled": True, "threshold_minor": 100,
                                               "amount_minor": 10_000_001}, token=owner.token)
    assert too_big.status == 422 and too_big.body["field"] == "amount_minor"

    saved = api.post("/billing/autocharge", {"enabled": True, "threshold_minor": 200, "amount_minor": 2500},
                     token=owner.token)
    assert saved.status == 200 and saved.body == {"enabled": True, "threshold_minor": 200, "amount_minor": 2500}
    assert api.get("/billing/balance", token=owner.token).body["autocharge"] == saved.body
    off = api.post("/billing/autocharge", {"enabled": False}, token=owner.token)
    assert off.body == {"enabled": False, "threshold_minor": None, "amount_minor": None}


def test_crossing_the_threshold_starts_one_charge_of_the_saved_method(api, processor):
    processor.saved_method = True
    owner = sign_up_and_log_in(api)
    api.post("/billing/autocharge", {"enabled": True, "threshold_minor": 300, "amount_minor": 2500},
             token=owner.token)

    first = ledger.debit_wallet(owner.tenant_id, 250, kind="call_charge", description="Call", reference_id=None)
    second = ledger.debit_wallet(owner.tenant_id, 50, kind="call_charge", description="Call", reference_id=None)

    assert (first.autocharge_started, second.autocharge_started) == (True, False)
    assert len(processor.charges) == 1 and processor.charges[0][:3] == (owner.tenant_id, 2500, "USD")
    # and when its payment lands, the wallet is credited and the next crossing may charge again
    assert topups.complete_topup("pi_1", "evt_auto", 2500, "USD") == "credited"
    wallet = repository.get_wallet(owner.tenant_id)
    assert (wallet.balance_minor, wallet.autocharge_in_flight) == (2700, False)


def test_without_a_saved_method_the_autocharge_waits_for_a_topup(api, processor):
    owner = sign_up_and_log_in(api)
    api.post("/billing/autocharge", {"enabled": True, "threshold_minor": 300, "amount_minor": 2500},
             token=owner.token)
    ledger.debit_wallet(owner.tenant_id, 250, kind="call_charge", description="Call", reference_id=None)
    ledger.debit_wallet(owner.tenant_id, 50, kind="call_charge", description="Call", reference_id=None)
    assert len(processor.charges) == 1
    assert repository.get_wallet(owner.tenant_id).autocharge_in_flight is True


def test_proof_concurrent_debits_across_the_threshold_start_one_charge(api, processor, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from tests.integration.test_wallet_ledger import make_dynamodb_atomic

    make_dynamodb_atomic(monkeypatch)  # per-request atomicity, as real DynamoDB
    processor.saved_method = True
    owner = sign_up_and_log_in(api)
    api.post("/billing/autocharge", {"enabled": True, "threshold_minor": 400, "amount_minor": 2500},
             token=owner.token)

    def debit(_: int) -> bool:
        return ledger.debit_wallet(owner.tenant_id, 10, kind="call_charge", description="Call",
                                   reference_id=None).autocharge_started

    with ThreadPoolExecutor(max_workers=20) as pool:
        started = list(pool.map(debit, range(20)))

    assert started.count(True) == 1 and len(processor.charges) == 1
    assert repository.get_wallet(owner.tenant_id).balance_minor == 300
