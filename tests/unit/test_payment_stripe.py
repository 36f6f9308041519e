"""The Stripe adapter against a local fake of Stripe's HTTP API."""

from __future__ import annotations

import pytest

from shared.platform.errors import Upstream
from shared.providers.payments.stripe import StripeProcessor
from tests.fakes.payments_api import FakeStripeApi


@pytest.fixture
def stripe_api():
    with FakeStripeApi() as fake:
        yield fake


def _processor(fake: FakeStripeApi) -> StripeProcessor:
    return StripeProcessor(api_key="sk_test_fake", base_url=fake.base_url, timeout_seconds=2)


def test_a_checkout_is_a_stripe_checkout_session_carrying_our_intent(stripe_api: FakeStripeApi) -> None:
    # When an INR checkout is created
    checkout = _processor(stripe_api).create_checkout("top_1", 42, 50000, "INR", "https://app.example/back")
    # Then the session's id and hosted URL are returned
    assert (checkout.external_id, checkout.checkout_url) == ("cs_test_123", "https://checkout.stripe.com/c/pay/cs_test_123")
    # And Stripe was asked for one line of 500.00 INR, tagged with our intent and tenant, card saved for later
    sent = stripe_api.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["authorization"] == "Bearer sk_test_fake"
    assert sent.headers["idempotency-key"] == "top_1"
    assert sent.form["line_items[0][price_data][currency]"] == "inr"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "50000"
    assert sent.form["client_reference_id"] == "top_1"
    assert sent.form["metadata[intent_id]"] == "top_1"
    assert sent.form["payment_intent_data[metadata][tenant_id]"] == "42"
    assert sent.form["payment_intent_data[setup_future_usage]"] == "off_session"
    assert sent.form["success_url"] == "https://app.example/back"


def test_a_refusal_by_stripe_is_an_upstream_error_that_names_it(stripe_api: FakeStripeApi) -> None:
    stripe_api.answer_status(400, {"message": "Amount must be at least 50 cents", "type": "invalid_request_error"})
    with pytest.raises(Upstream) as raised:
        _processor(stripe_api).create_checkout("top_1", 42, 10, "USD", None)
    assert "at least 50 cents" in raised.value.message
    assert "sk_test_fake" not in raised.value.message


def test_an_unreachable_stripe_is_an_upstream_error() -> None:
    processor = StripeProcessor(api_key="sk_test_fake", base_url="http://127.0.0.1:9", timeout_seconds=1)
    with pytest.raises(Upstream) as raised:
        processor.create_checkout("top_1", 42, 1000, "USD", None)
    assert raised.value.code == "PAYMENTS_UPSTREAM"


def test_a_tenant_without_a_saved_method_is_not_charged(stripe_api: FakeStripeApi) -> None:
    assert _processor(stripe_api).charge_saved_method(42, 1000, "USD", "top_2") is None
    assert [request.path for request in stripe_api.requests] == ["/v1/payment_intents/search"]
    assert "metadata['tenant_id']:'42'" in stripe_api.requests[0].query["query"]


def test_a_saved_method_is_charged_off_session_as_an_autocharge(stripe_api: FakeStripeApi) -> None:
    # Given the tenant paid before with a saved card
    stripe_api.saved_intents = [{"id": "pi_old", "customer": "cus_1", "payment_method": "pm_1"}]
    # When it is charged off-session
    checkout = _processor(stripe_api).charge_saved_method(42, 1000, "USD", "top_2")
    # Then a confirmed PaymentIntent on that card is created, marked as our autocharge
    assert checkout is not None and checkout.external_id == "pi_test_456"
    sent = stripe_api.requests[-1]
    assert sent.path == "/v1/payment_intents"
    assert (sent.form["customer"], sent.form["payment_method"], sent.form["off_session"]) == ("cus_1", "pm_1", "true")
    assert sent.form["metadata[kind]"] == "callfunnel_autocharge"
    assert sent.headers["idempotency-key"] == "top_2"


def test_a_declined_saved_method_still_returns_the_charge_its_webhook_will_report(stripe_api: FakeStripeApi) -> None:
    stripe_api.saved_intents = [{"id": "pi_old", "customer": "cus_1", "payment_method": "pm_1"}]
    declined = {"type": "card_error", "message": "declined", "payment_intent": {"id": "pi_declined"}}
    stripe_api.answer_status(402, declined)
    checkout = _processor(stripe_api).charge_saved_method(42, 1000, "USD", "top_2")
    assert checkout is not None and checkout.external_id == "pi_declined"
