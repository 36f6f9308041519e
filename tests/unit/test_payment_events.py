"""Parsing a verified webhook body into the payment event the queue carries (ours and Stripe's)."""

from __future__ import annotations

import json

import pytest

from shared.payments.events import AUTOCHARGE_METADATA_KIND, parse_event
from shared.platform.errors import BadRequest


def _ours(**overrides: object) -> bytes:
    event = {"id": "evt_1", "type": "checkout.succeeded",
             "data": {"external_id": "sbx_1", "amount_minor": 2500, "currency": "INR"}}
    event.update(overrides)
    return json.dumps(event).encode()


def test_our_succeeded_event_is_parsed() -> None:
    event = parse_event(_ours())
    assert event is not None
    assert (event.id, event.type, event.data.external_id, event.data.amount_minor, event.data.currency) == (
        "evt_1", "checkout.succeeded", "sbx_1", 2500, "INR")


def test_an_event_type_we_do_not_handle_is_ignored_not_rejected() -> None:
    assert parse_event(_ours(type="customer.created")) is None


@pytest.mark.parametrize("body", [b"not json", b"[]", _ours(data={"external_id": "sbx_1"}),
                                  _ours(data={"external_id": "sbx_1", "amount_minor": "25", "currency": "USD"})],
                         ids=["not JSON", "not an object", "no amount", "amount as text"])
def test_an_unreadable_event_is_400_malformed_event(body: bytes) -> None:
    with pytest.raises(BadRequest) as raised:
        parse_event(body)
    assert raised.value.code == "MALFORMED_EVENT"


def _stripe(kind: str, obj: dict) -> bytes:
    return json.dumps({"id": "evt_S1", "object": "event", "type": kind, "data": {"object": obj}}).encode()


def test_a_paid_stripe_checkout_session_becomes_a_succeeded_event() -> None:
    body = _stripe("checkout.session.completed",
                   {"id": "cs_test_1", "amount_total": 1000, "currency": "usd", "payment_status": "paid"})
    event = parse_event(body)
    assert event is not None
    assert (event.id, event.type, event.data.external_id, event.data.amount_minor, event.data.currency) == (
        "evt_S1", "checkout.succeeded", "cs_test_1", 1000, "USD")


def test_an_unpaid_stripe_checkout_session_is_not_a_credit_yet() -> None:
    body = _stripe("checkout.session.completed",
                   {"id": "cs_test_1", "amount_total": 1000, "currency": "usd", "payment_status": "unpaid"})
    assert parse_event(body) is None


def test_only_our_own_autocharge_payment_intents_count() -> None:
    ours = {"id": "pi_1", "amount_received": 500, "currency": "inr", "metadata": {"kind": AUTOCHARGE_METADATA_KIND}}
    other = {"id": "pi_2", "amount_received": 500, "currency": "inr", "metadata": {}}
    event = parse_event(_stripe("payment_intent.succeeded", ours))
    assert event is not None and event.data.external_id == "pi_1"
    assert parse_event(_stripe("payment_intent.succeeded", other)) is None


def test_a_stripe_event_carries_the_intent_and_tenant_our_checkout_metadata_names() -> None:
    session = {"id": "cs_test_1", "amount_total": 1000, "currency": "usd", "payment_status": "paid",
               "client_reference_id": "top_1", "metadata": {"intent_id": "top_1", "tenant_id": "38"}}
    event = parse_event(_stripe("checkout.session.completed", session))
    assert event is not None and (event.data.intent_id, event.data.tenant_id) == ("top_1", "38")


def test_our_own_events_need_not_name_an_intent_or_tenant() -> None:
    event = parse_event(_ours())
    assert event is not None and (event.data.intent_id, event.data.tenant_id) == (None, None)
