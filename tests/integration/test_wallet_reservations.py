"""Reservations for the dialer: hold, settle the actual cost, release — each idempotent per id."""

from __future__ import annotations

import pytest

from shared.billing import ledger, repository, reservations
from shared.platform.errors import PaymentRequired
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration


def test_a_hold_lowers_what_is_available_but_not_the_balance(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 200, "res_1")
    wallet = repository.get_wallet(tenant)
    assert (wallet.balance_minor, wallet.reserved_minor, wallet.available_minor) == (500, 200, 300)


def test_a_debit_cannot_spend_money_held_for_a_call(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 400, "res_1")
    with pytest.raises(PaymentRequired):
        ledger.debit_wallet(tenant, 101, kind="call_charge", description="Call", reference_id=None)


def test_reserving_more_than_is_available_is_refused(api):
    tenant = sign_up_and_log_in(api).tenant_id
    with pytest.raises(PaymentRequired):
        reservations.reserve(tenant, 501, "res_1")
    assert repository.get_wallet(tenant).reserved_minor == 0


def test_settling_charges_the_actual_cost_and_releases_the_rest(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 200, "res_1")
    settled = reservations.settle(tenant, "res_1", 36)
    wallet = repository.get_wallet(tenant)
    assert (settled.state, settled.charged_minor) == ("settled", 36)
    assert (wallet.balance_minor, wallet.reserved_minor) == (464, 0)
    assert repository.ledger(tenant, 1)[0].amount_minor == -36


def test_settling_twice_charges_once(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 200, "res_1")
    reservations.settle(tenant, "res_1", 36)
    again = reservations.settle(tenant, "res_1", 36)
    assert again.charged_minor == 36
    assert repository.get_wallet(tenant).balance_minor == 464


def test_reserving_twice_with_one_id_holds_once(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 200, "res_1")
    reservations.reserve(tenant, 200, "res_1")
    assert repository.get_wallet(tenant).reserved_minor == 200


def test_releasing_gives_the_whole_hold_back_without_a_ledger_entry(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 200, "res_1")
    released = reservations.release(tenant, "res_1")
    assert released.state == "released"
    assert repository.get_wallet(tenant).available_minor == 500
    assert len(repository.ledger(tenant, 10)) == 1


def test_a_settle_above_the_hold_never_takes_the_balance_below_zero(api):
    tenant = sign_up_and_log_in(api).tenant_id
    reservations.reserve(tenant, 450, "res_1")
    settled = reservations.settle(tenant, "res_1", 900)
    assert settled.charged_minor == 500
    assert repository.get_wallet(tenant).balance_minor == 0
