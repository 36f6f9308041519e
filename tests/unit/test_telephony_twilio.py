"""The Twilio adapter (official SDK) against a local fake of Twilio's REST API over HTTP."""

import pytest

from shared.platform.errors import BadRequest, Upstream
from shared.providers.telephony.twilio import TwilioTelephony
from tests.fakes.twilio_api import FakeTwilioApi


@pytest.fixture
def fake():
    with FakeTwilioApi() as server:
        yield server


@pytest.fixture
def twilio(fake):
    return TwilioTelephony(fake.account_sid, fake.auth_token, base_url=fake.base_url, timeout_seconds=5)


def test_search_lists_local_numbers_with_the_local_monthly_price_in_minor_units(twilio):
    found = twilio.search_available("US", "415", 5)

    assert [number.phone_e164 for number in found] == ["+14155550101", "+14155550102"]
    assert {(number.monthly_cost_minor, number.currency) for number in found} == {(115, "USD")}
    assert found[0].capabilities == ("voice", "sms") and found[0].locality == "San Francisco"


def test_search_sends_the_area_code_and_asks_for_voice_capable_numbers(twilio, fake):
    twilio.search_available("US", "415", 5)

    search = next(request for request in fake.requests if "AvailablePhoneNumbers" in request.path)
    assert search.query["AreaCode"] == "415" and search.query["VoiceEnabled"] == "true"


def test_buying_wires_the_voice_and_status_webhooks(twilio, fake):
    owned = twilio.buy("+14155550101", "https://cf.example/webhooks/voice", "https://cf.example/webhooks/status")

    held = fake.owned[owned.provider_sid]
    assert owned.phone_e164 == "+14155550101" and owned.monthly_cost_minor == 115
    assert (held["voice_url"], held["status_callback"]) == ("https://cf.example/webhooks/voice",
                                                            "https://cf.example/webhooks/status")


def test_buying_a_number_that_is_not_for_sale_is_a_bad_request(twilio):
    with pytest.raises(BadRequest) as refused:
        twilio.buy("+14155559999", "https://cf.example/v", "https://cf.example/s")

    assert refused.value.code == "NUMBER_NOT_AVAILABLE"


def test_verify_owned_finds_a_number_the_account_holds_and_nothing_else(twilio, fake):
    sid = fake.hold("+14155550199")

    assert twilio.verify_owned("+14155550199").provider_sid == sid
    assert twilio.verify_owned("+14155550198") is None


def test_update_webhooks_with_empty_urls_unwires_the_number(twilio, fake):
    sid = fake.hold("+14155550199")

    twilio.update_webhooks(sid, "", "")

    assert (fake.owned[sid]["voice_url"], fake.owned[sid]["status_callback"]) == ("", "")


def test_release_deletes_the_number_and_a_second_release_is_a_no_op(twilio, fake):
    sid = fake.hold("+14155550199")

    twilio.release(sid)
    twilio.release(sid)

    assert sid not in fake.owned


def test_rejected_credentials_are_an_upstream_error(fake):
    wrong = TwilioTelephony(fake.account_sid, "b" * 32, base_url=fake.base_url)

    with pytest.raises(Upstream) as refused:
        wrong.verify_owned("+14155550199")

    assert refused.value.code == "TELEPHONY_AUTH_FAILED" and refused.value.status == 502


def test_a_twilio_outage_is_an_upstream_error(twilio, fake):
    fake.fail_with = (503, 20503)

    with pytest.raises(Upstream) as refused:
        twilio.search_available("US", None, 5)

    assert refused.value.code == "TELEPHONY_ERROR"


def test_an_unreachable_twilio_is_an_upstream_error():
    unreachable = TwilioTelephony("AC" + "1" * 32, "a" * 32, base_url="http://127.0.0.1:9", timeout_seconds=1)

    with pytest.raises(Upstream) as refused:
        unreachable.verify_owned("+14155550199")

    assert refused.value.code == "TELEPHONY_UNAVAILABLE"


def test_the_adapter_never_shows_its_token():
    assert "a" * 32 not in repr(TwilioTelephony("AC" + "1" * 32, "a" * 32))
