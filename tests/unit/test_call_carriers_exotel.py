"""The Exotel call carrier (Calls/connect, stdlib HTTP) against the local Exotel fake: the form it sends (into the
tenant's Voicebot flow, naming the call's signed voice webhook in CustomField), how refusals map, and the token that
stands in for the signature Exotel does not send."""

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.platform.errors import Unavailable, Upstream
from shared.providers.telephony.calls import CallRejected, CarrierThrottled, OutboundCall
from shared.providers.telephony.exotel_calls import ExotelCalls
from tests.fakes.exotel_api import FakeExotelApi

CALL = OutboundCall(call_id="call_0a1b2c3d4e5f60718293a4b5", to_e164="+919812345678", from_e164="+918041234501",
                    voice_url="https://cf.example/telephony/exotel/voice/7/call_0a1b2c3d4e5f60718293a4b5",
                    status_url="https://cf.example/telephony/exotel/status/7/call_0a1b2c3d4e5f60718293a4b5",
                    time_limit_seconds=240, amd_url="https://cf.example/telephony/exotel/amd/7/call_0a1b2c3d4e5f60718293a4b5")
APP_ID = "424242"


@pytest.fixture
def fake():
    with FakeExotelApi() as server:
        yield server


@pytest.fixture
def exotel(fake):
    return ExotelCalls(fake.api_key, fake.api_token, fake.account_sid, base_url=fake.base_url, timeout_seconds=5,
                       voicebot_app_id=APP_ID)


def _placed_form(fake):
    return next(request for request in fake.requests if request.path.endswith("/Calls/connect.json")).form


def test_placing_a_call_returns_exotels_call_sid(exotel, fake):
    placed = exotel.place_call(CALL)

    assert placed.provider == "exotel" and placed.provider_call_sid in fake.calls


def test_exotel_rings_the_callee_first_from_our_exophone(exotel, fake):
    exotel.place_call(CALL)

    form = _placed_form(fake)
    assert (form["From"], form["CallerId"]) == ("+919812345678", "+918041234501")


def test_the_call_carries_limits_and_the_terminal_callback(exotel, fake):
    exotel.place_call(CALL)

    form = _placed_form(fake)
    assert (form["TimeLimit"], form["TimeOut"], form["StatusCallbackEvents[0]"]) == ("240", "25", "terminal")


def test_the_answered_call_is_connected_to_the_tenants_voicebot_flow(exotel, fake):
    exotel.place_call(CALL)

    assert _placed_form(fake)["Url"] == f"http://my.exotel.com/{fake.account_sid}/exoml/start_voice/{APP_ID}"


def test_custom_field_names_the_calls_voice_webhook_signed_within_exotels_128_characters(exotel, fake):
    exotel.place_call(CALL)

    field = _placed_form(fake)["CustomField"]
    assert field.startswith(urlsplit(CALL.voice_url).path + "?token=") and len(field) <= 128
    assert exotel.webhook_is_authentic("https://cf.example" + field, {}, None)


def test_the_longest_tenant_id_still_fits_custom_field(exotel):
    voice_url = "https://cf.example/telephony/exotel/voice/999999999999/call_" + "f" * 24

    assert len(exotel.voice_webhook_field(voice_url)) <= 128


def test_without_a_voicebot_flow_no_call_is_placed(fake):
    # Answered, the callee would be connected to nothing: refuse before ringing anyone.
    exotel = ExotelCalls(fake.api_key, fake.api_token, fake.account_sid, base_url=fake.base_url)

    with pytest.raises(Unavailable) as refused:
        exotel.place_call(CALL)

    assert refused.value.code == "TELEPHONY_NOT_CONFIGURED" and fake.requests == []


def test_the_status_callback_handed_to_exotel_carries_a_token_that_authenticates_it(exotel, fake):
    exotel.place_call(CALL)

    handed = _placed_form(fake)["StatusCallback"]
    assert handed.startswith(CALL.status_url + "?token=")
    assert exotel.webhook_is_authentic(handed, {"CallSid": "x"}, None)


def test_a_token_does_not_authenticate_another_calls_webhook(exotel):
    token = parse_qs(urlsplit(exotel.signed_url(CALL.status_url)).query)["token"][0]
    other_call = "https://cf.example/telephony/exotel/status/7/call_ffffffffffffffffffffffff"

    assert not exotel.webhook_is_authentic(f"{other_call}?token={token}", {}, None)


def test_a_webhook_without_a_token_or_with_a_forged_one_is_not_authentic(exotel):
    assert not exotel.webhook_is_authentic(CALL.status_url, {}, None)
    assert not exotel.webhook_is_authentic(CALL.status_url + "?token=" + "0" * 32, {}, None)


def test_a_token_minted_with_another_api_token_is_not_authentic(exotel, fake):
    stranger = ExotelCalls(fake.api_key, "another-token", fake.account_sid, base_url=fake.base_url)

    assert not exotel.webhook_is_authentic(stranger.signed_url(CALL.status_url), {}, None)


def test_signing_keeps_existing_query_parameters_and_replaces_an_old_token(exotel):
    signed = exotel.signed_url(CALL.voice_url + "?lang=hi&token=stale")

    query = parse_qs(urlsplit(signed).query)
    assert query["lang"] == ["hi"] and len(query["token"]) == 1 and query["token"] != ["stale"]
    assert exotel.webhook_is_authentic(signed, {}, None)


def test_a_429_waits_as_long_as_exotel_says(exotel, fake):
    fake.calls_fail_with, fake.calls_retry_after = (429, "Too many requests"), "2"

    with pytest.raises(CarrierThrottled) as throttled:
        exotel.place_call(CALL)

    assert throttled.value.retry_after_seconds == 2.0


def test_a_429_without_retry_after_waits_one_exotel_slot(exotel, fake):
    fake.calls_fail_with = (429, "Too many requests")

    with pytest.raises(CarrierThrottled) as throttled:
        exotel.place_call(CALL)

    assert throttled.value.retry_after_seconds == 0.3


def test_an_invalid_callee_number_is_rejected_for_good(exotel, fake):
    fake.calls_fail_with = (400, "Invalid From number")

    with pytest.raises(CallRejected):
        exotel.place_call(CALL)


def test_a_400_about_our_caller_id_is_our_problem_not_the_callees(exotel, fake):
    fake.calls_fail_with = (400, "CallerId number is not an ExoPhone of this account")

    with pytest.raises(Upstream) as failed:
        exotel.place_call(CALL)

    assert failed.value.code == "TELEPHONY_UNAVAILABLE"


@pytest.mark.parametrize("status", [401, 403, 500, 503])
def test_other_refusals_mean_exotel_is_unavailable(exotel, fake, status):
    fake.calls_fail_with = (status, "nope")

    with pytest.raises(Upstream) as failed:
        exotel.place_call(CALL)

    assert failed.value.code == "TELEPHONY_UNAVAILABLE"


def test_a_call_without_a_caller_id_is_rejected_before_reaching_exotel(exotel, fake):
    with pytest.raises(CallRejected):
        exotel.place_call(replace(CALL, from_e164=None))

    assert fake.requests == []


def test_the_api_token_never_shows_in_the_repr(exotel, fake):
    assert fake.api_token not in repr(exotel)
