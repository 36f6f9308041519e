"""Wallet ledger on moto: credits, debits, the exactly-once guard, and the concurrency proofs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared.billing import ledger, repository
from shared.platform import clock
from shared.platform.errors import PaymentRequired
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration


@pytest.fixture
def atomic_dynamodb(monkeypatch):
    make_dynamodb_atomic(monkeypatch)


def make_dynamodb_atomic(monkeypatch) -> None:
    """DynamoDB applies each request atomically; moto does not across threads (a cancelled transaction
    restores a copy of the whole table, erasing other threads' writes). One lock per request gives the
    threads below real DynamoDB's per-request atomicity — and nothing more: conflicts still happen
    between a thread's read and its write, which is what the proofs exercise."""
    from moto.dynamodb.responses import DynamoHandler

    lock, original = threading.Lock(), DynamoHandler.call_action

    def call_action(self):
        with lock:
            return original(self)

    monkeypatch.setattr(DynamoHandler, "call_action", call_action)


def _ledger_sum(tenant_id: int) -> int:
    return sum(entry.amount_minor for entry in repository.ledger(tenant_id, 1000))


def test_a_debit_appends_an_entry_and_lowers_the_balance(api):
    # Given a US tenant with its $5 trial credit
    tenant = sign_up_and_log_in(api).tenant_id
    # When 120 minor units are debited
    result = ledger.debit_wallet(tenant, 120, kind="call_charge", description="Call", reference_id="call_1")
    # Then the balance and the newest ledger entry both say 380
    assert result.balance_minor == 380
    newest = repository.ledger(tenant, 1)[0]
    assert (newest.kind, newest.amount_minor, newest.balance_after_minor, newest.reference_id) == (
        "call_charge", -120, 380, "call_1")
    assert repository.get_wallet(tenant).balance_minor == 380


def test_a_debit_larger_than_the_balance_is_refused_and_changes_nothing(api):
    tenant = sign_up_and_log_in(api).tenant_id
    with pytest.raises(PaymentRequired) as refused:
        ledger.debit_wallet(tenant, 501, kind="call_charge", description="Call", reference_id=None)
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    assert repository.get_wallet(tenant).balance_minor == 500
    assert len(repository.ledger(tenant, 10)) == 1


def test_the_same_external_event_credits_once(api):
    tenant = sign_up_and_log_in(api).tenant_id
    first = ledger.credit_wallet(tenant, 1000, kind="topup", description="Top-up", external_event_id="evt_1")
    again = ledger.credit_wallet(tenant, 1000, kind="topup", description="Top-up", external_event_id="evt_1")
    assert (first.applied, first.balance_minor) == (True, 1500)
    assert (again.applied, again.balance_minor) == (False, 1500)
    assert repository.get_wallet(tenant).balance_minor == 1500


def test_proof_50_concurrent_debits_never_go_below_zero_and_the_ledger_sums_to_the_balance(api, atomic_dynamodb):
    # Given $5.00 and 50 threads each debiting 30 (1,500 asked for, only 16 fit)
    tenant = sign_up_and_log_in(api).tenant_id

    def debit(n: int) -> bool:
        try:
            ledger.debit_wallet(tenant, 30, kind="call_charge", description="Call", reference_id=f"call_{n}")
        except PaymentRequired:
            return False
        return True

    with ThreadPoolExecutor(max_workers=50) as pool:
        succeeded = sum(pool.map(debit, range(50)))

    # Then exactly as many debits as fit went through, the balance never went negative,
    # and the immutable ledger adds up to the balance, entry by entry
    balance = repository.get_wallet(tenant).balance_minor
    assert succeeded == 16 and balance == 500 - 16 * 30 == 20
    entries = list(reversed(repository.ledger(tenant, 1000)))
    assert _ledger_sum(tenant) == balance
    running = 0
    for entry in entries:
        running += entry.amount_minor
        assert entry.balance_after_minor == running >= 0


def test_proof_20_concurrent_credits_of_one_event_credit_once(api, atomic_dynamodb):
    tenant = sign_up_and_log_in(api).tenant_id

    def credit(_: int) -> bool:
        return ledger.credit_wallet(tenant, 2500, kind="topup", description="Top-up",
                                    external_event_id="evt_replayed").applied

    with ThreadPoolExecutor(max_workers=20) as pool:
        applied = list(pool.map(credit, range(20)))

    assert applied.count(True) == 1
    assert repository.get_wallet(tenant).balance_minor == 3000 == _ledger_sum(tenant)


def test_proof_a_replay_after_the_idempotency_window_still_credits_once(api):
    # Given an event credited now
    tenant = sign_up_and_log_in(api).tenant_id
    assert ledger.credit_wallet(tenant, 1000, kind="topup", description="Top-up", external_event_id="evt_old").applied
    # When the processor replays it 400 days later (far past any idempotency or TTL window)
    clock.freeze(clock.now() + timedelta(days=400))
    replay = ledger.credit_wallet(tenant, 1000, kind="topup", description="Top-up", external_event_id="evt_old")
    # Then nothing is credited: the guard item has no TTL
    assert replay.applied is False
    assert repository.get_wallet(tenant).balance_minor == 1500
