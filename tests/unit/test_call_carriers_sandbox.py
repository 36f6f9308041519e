"""The sandbox call carrier against a tiny local stand-in of the simulated carrier: the JSON it hands over,
throttling, unavailability, and Twilio-style signatures made with the sandbox auth token."""

import json
from dataclasses import replace

import pytest

from shared.platform.errors import Unavailable
from shared.providers.telephony.calls import CarrierThrottled, OutboundCall
from shared.providers.telephony.sandbox_calls import SandboxCalls
from tests.fakes.local_server import LocalHttpFake, QuietHandler

AUTH_TOKEN = "sandbox-carrier-auth-token"
CALL = OutboundCall(call_id="run1-t1-a1", to_e164="+14155550123", from_e164=None,
                    voice_url="http://127.0.0.1:8000/telephony/sandbox/voice/7/run1-t1-a1",
                    status_url="http://127.0.0.1:8000/telephony/sandbox/status/7/run1-t1-a1", time_limit_seconds=300,
                    amd_url="http://127.0.0.1:8000/telephony/sandbox/amd/7/run1-t1-a1",
                    sandbox_script={"asks_for_discount": 10})


class FakeSandboxCarrier(LocalHttpFake):
    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.answer: tuple[int, object, dict[str, str]] = (201, {"sid": "SBCA0001"}, {})
        super().__init__()

    def _handler_class(self):
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                fake.received.append((self.path, json.loads(self.read_body())))
                status, body, headers = fake.answer
                self.send_bytes(status, json.dumps(body).encode(), extra_headers=headers)

        return Handler


@pytest.fixture
def carrier():
    with FakeSandboxCarrier() as server:
        yield server


@pytest.fixture
def sandbox(carrier):
    return SandboxCalls(carrier.base_url + "/", AUTH_TOKEN)


def test_placing_a_call_returns_the_simulated_carriers_sid(sandbox):
    placed = sandbox.place_call(CALL)

    assert (placed.provider, placed.provider_call_sid) == ("sandbox", "SBCA0001")


def test_the_whole_call_and_its_script_are_handed_over_as_json(sandbox, carrier):
    sandbox.place_call(CALL)

    path, body = carrier.received[0]
    assert path == "/calls"
    assert body == {"call_id": "run1-t1-a1", "to": "+14155550123", "from": None, "voice_url": CALL.voice_url,
                    "status_url": CALL.status_url, "amd_url": CALL.amd_url, "time_limit_seconds": 300,
                    "machine_detection": True, "script": {"asks_for_discount": 10}}


def test_a_200_is_as_good_as_a_201(sandbox, carrier):
    carrier.answer = (200, {"sid": "SBCA0002"}, {})

    assert sandbox.place_call(CALL).provider_call_sid == "SBCA0002"


def test_a_429_waits_as_long_as_the_carrier_says(sandbox, carrier):
    carrier.answer = (429, {"error": "slow down"}, {"Retry-After": "0.5"})

    with pytest.raises(CarrierThrottled) as throttled:
        sandbox.place_call(CALL)

    assert throttled.value.retry_after_seconds == 0.5


@pytest.mark.parametrize("status, body", [(500, {"error": "boom"}), (201, {"no": "sid"})])
def test_a_failing_or_confused_carrier_is_unavailable(sandbox, carrier, status, body):
    carrier.answer = (status, body, {})

    with pytest.raises(Unavailable) as failed:
        sandbox.place_call(CALL)

    assert failed.value.code == "SANDBOX_CARRIER_UNAVAILABLE"


def test_a_carrier_that_is_not_running_is_unavailable():
    with pytest.raises(Unavailable) as failed:
        SandboxCalls("http://127.0.0.1:9", AUTH_TOKEN, timeout_seconds=1).place_call(CALL)

    assert failed.value.code == "SANDBOX_CARRIER_UNAVAILABLE"


def test_without_a_carrier_url_every_call_is_unavailable():
    with pytest.raises(Unavailable) as failed:
        SandboxCalls(None, AUTH_TOKEN).place_call(replace(CALL, from_e164="+14155550101"))

    assert failed.value.code == "SANDBOX_CARRIER_UNAVAILABLE"


def test_webhooks_signed_like_twilio_with_the_sandbox_token_are_authentic():
    from twilio.request_validator import RequestValidator

    params = {"CallSid": "SBCA0001", "CallStatus": "in-progress"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(CALL.status_url, params)
    sandbox = SandboxCalls("http://127.0.0.1:9", AUTH_TOKEN)

    assert sandbox.webhook_is_authentic(CALL.status_url, params, signature)
    assert not sandbox.webhook_is_authentic(CALL.status_url, {**params, "CallStatus": "completed"}, signature)
    assert not SandboxCalls("http://127.0.0.1:9", "another-token").webhook_is_authentic(CALL.status_url, params,
                                                                                          signature)


def test_without_a_sandbox_carrier_no_sandbox_webhook_is_authentic_even_signed_with_the_default_token():
    """The cloud has no sandbox carrier, and the sandbox token has a public default: nothing may pass for it."""
    from twilio.request_validator import RequestValidator

    params = {"CallSid": "SBCA0001", "CallStatus": "completed"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(CALL.status_url, params)

    assert not SandboxCalls(None, AUTH_TOKEN).webhook_is_authentic(CALL.status_url, params, signature)
