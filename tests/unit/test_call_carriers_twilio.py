"""The Twilio call carrier (official SDK) against the local Twilio fake: what it sends, how refusals map,
and how Twilio's webhook signatures are checked."""

import pytest

from shared.platform.errors import Upstream
from shared.providers.telephony.calls import CallRejected, CarrierThrottled, OutboundCall
from shared.providers.telephony.twilio_calls import TwilioCalls
from tests.fakes.twilio_api import FakeTwilioApi

CALL = OutboundCall(call_id="run1-t1-a1", to_e164="+14155550123", from_e164="+14155550101",
                    voice_url="https://cf.example/telephony/twilio/voice/7/run1-t1-a1",
                    status_url="https://cf.example/telephony/twilio/status/7/run1-t1-a1", time_limit_seconds=300,
                    amd_url="https://cf.example/telephony/twilio/amd/7/run1-t1-a1")
WEBHOOK_URL = "https://cf.example/telephony/twilio/status/7/run1-t1-a1"
PARAMS = {"CallSid": "CA1", "CallStatus": "completed", "AnsweredBy": "human"}


@pytest.fixture
def fake():
    with FakeTwilioApi() as server:
        yield server


@pytest.fixture
def twilio(fake):
    return TwilioCalls(fake.account_sid, fake.auth_token, base_url=fake.base_url, timeout_seconds=5)


def _placed_form(fake):
    return next(request for request in fake.requests if request.path.endswith("/Calls.json"))


def test_placing_a_call_returns_twilios_call_sid(twilio, fake):
    placed = twilio.place_call(CALL)

    assert placed.provider == "twilio" and placed.provider_call_sid in fake.calls
    assert placed.provider_call_sid.startswith("CA")


def test_the_call_is_sent_with_our_numbers_webhooks_and_limits(twilio, fake):
    twilio.place_call(CALL)

    form = _placed_form(fake).form
    assert (form["To"], form["From"]) == ("+14155550123", "+14155550101")
    assert (form["Url"], form["Method"]) == (CALL.voice_url, "POST")
    assert (form["StatusCallback"], form["StatusCallbackMethod"]) == (CALL.status_url, "POST")
    assert (form["TimeLimit"], form["Timeout"]) == ("300", "25")


def test_machines_are_detected_in_the_background_and_the_verdict_posted_to_the_amd_webhook(twilio, fake):
    twilio.place_call(CALL)

    form = _placed_form(fake).form
    # Async: the call is connected (and streamed) at once; the verdict comes after the greeting, to leave a message.
    assert (form["MachineDetection"], form["AsyncAmd"]) == ("DetectMessageEnd", "true")
    assert (form["AsyncAmdStatusCallback"], form["AsyncAmdStatusCallbackMethod"]) == (CALL.amd_url, "POST")


def test_every_progress_event_is_asked_for(twilio, fake):
    twilio.place_call(CALL)

    assert _placed_form(fake).form_lists["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]


def test_machine_detection_is_left_out_when_the_call_does_not_want_it(twilio, fake):
    from dataclasses import replace

    twilio.place_call(replace(CALL, machine_detection=False))

    assert not {"MachineDetection", "AsyncAmd", "AsyncAmdStatusCallback"} & set(_placed_form(fake).form)


def test_machine_detection_is_left_out_without_a_webhook_to_hear_the_verdict(twilio, fake):
    from dataclasses import replace

    twilio.place_call(replace(CALL, amd_url=None))

    assert not {"MachineDetection", "AsyncAmd"} & set(_placed_form(fake).form)


def test_a_call_without_a_caller_number_is_rejected_before_reaching_twilio(twilio, fake):
    from dataclasses import replace

    with pytest.raises(CallRejected):
        twilio.place_call(replace(CALL, from_e164=None))

    assert fake.requests == []


def test_a_429_means_wait_a_second_and_try_again(twilio, fake):
    fake.calls_fail_with = (429, 20429)

    with pytest.raises(CarrierThrottled) as throttled:
        twilio.place_call(CALL)

    assert throttled.value.retry_after_seconds == 1.0


@pytest.mark.parametrize("code", [21211, 21214, 21215, 21216, 21217, 13223, 13224, 21610])
def test_a_number_twilio_will_never_ring_is_rejected_for_good(twilio, fake, code):
    fake.calls_fail_with = (400, code)

    with pytest.raises(CallRejected):
        twilio.place_call(CALL)


@pytest.mark.parametrize("status, code", [(500, 20500), (401, 20003), (400, 21205)])
def test_other_refusals_mean_twilio_is_unavailable(twilio, fake, status, code):
    fake.calls_fail_with = (status, code)

    with pytest.raises(Upstream) as failed:
        twilio.place_call(CALL)

    assert failed.value.code == "TELEPHONY_UNAVAILABLE"


def test_an_unreachable_twilio_is_unavailable():
    carrier = TwilioCalls("AC" + "1" * 32, "a" * 32, base_url="http://127.0.0.1:9", timeout_seconds=1)

    with pytest.raises(Upstream) as failed:
        carrier.place_call(CALL)

    assert failed.value.code == "TELEPHONY_UNAVAILABLE"


def test_a_webhook_signed_with_our_auth_token_is_authentic(twilio, fake):
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(fake.auth_token).compute_signature(WEBHOOK_URL, PARAMS)

    assert twilio.webhook_is_authentic(WEBHOOK_URL, PARAMS, signature)


def test_a_tampered_parameter_breaks_the_signature(twilio, fake):
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(fake.auth_token).compute_signature(WEBHOOK_URL, PARAMS)

    assert not twilio.webhook_is_authentic(WEBHOOK_URL, {**PARAMS, "CallStatus": "busy"}, signature)


def test_a_webhook_without_a_signature_is_not_authentic(twilio):
    assert not twilio.webhook_is_authentic(WEBHOOK_URL, PARAMS, None)


def test_the_auth_token_never_shows_in_the_repr(twilio, fake):
    assert fake.auth_token not in repr(twilio)
