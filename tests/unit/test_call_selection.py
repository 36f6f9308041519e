"""Which carrier places a dialer call: the sandbox for tests, Exotel for India when configured, else Twilio,
else the sandbox; and webhooks go back to the carrier that placed the call."""

import pytest

from shared.onboarding import credentials
from shared.onboarding.call_selection import get_call_carrier, get_call_carrier_named
from shared.onboarding.credentials import ResolvedCredential
from shared.platform.errors import Unavailable
from shared.platform.settings import reset_settings

TWILIO = ResolvedCredential(provider="twilio", source="byok", secret="a" * 32, primary_id="AC" + "1" * 32)
EXOTEL = {"api_key": "k", "api_token": "t", "account_sid": "sid", "subdomain": "@api.in.exotel.com",
          "voicebot_app_id": "424242"}


def _resolver(monkeypatch, **by_provider):
    monkeypatch.setattr(credentials, "resolve_credential", lambda tenant_id, provider: by_provider.get(provider))


def test_a_test_call_always_goes_to_the_sandbox(monkeypatch):
    _resolver(monkeypatch, exotel=EXOTEL, twilio=TWILIO)

    assert get_call_carrier(7, "IN", is_test=True).name == "sandbox"


def test_exotel_places_calls_to_india_when_configured(monkeypatch):
    _resolver(monkeypatch, exotel=EXOTEL, twilio=TWILIO)

    carrier = get_call_carrier(7, "IN", is_test=False)

    assert carrier.name == "exotel" and carrier.calls_per_second == pytest.approx(200 / 60)


def test_incomplete_exotel_credentials_fall_back_to_twilio(monkeypatch):
    _resolver(monkeypatch, exotel={**EXOTEL, "account_sid": ""}, twilio=TWILIO)

    assert get_call_carrier(7, "IN", is_test=False).name == "twilio"


def test_exotel_without_its_voicebot_flow_places_no_call_but_still_checks_its_webhooks(monkeypatch):
    without_flow = {name: value for name, value in EXOTEL.items() if name != "voicebot_app_id"}
    _resolver(monkeypatch, exotel=without_flow, twilio=TWILIO)

    assert get_call_carrier(7, "IN", is_test=False).name == "twilio"
    assert get_call_carrier_named(7, "exotel").name == "exotel"


def test_twilio_places_calls_elsewhere_even_when_exotel_is_configured(monkeypatch):
    _resolver(monkeypatch, exotel=EXOTEL, twilio=TWILIO)

    carrier = get_call_carrier(7, "US", is_test=False)

    assert carrier.name == "twilio" and carrier.calls_per_second == 1.0


def test_the_sandbox_places_calls_when_no_carrier_is_configured(monkeypatch):
    _resolver(monkeypatch)

    assert get_call_carrier(7, "US", is_test=False).name == "sandbox"


def test_the_sandbox_carrier_uses_the_configured_url_and_token(monkeypatch):
    from twilio.request_validator import RequestValidator

    monkeypatch.setenv("SANDBOX_CARRIER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SANDBOX_CARRIER_AUTH_TOKEN", "local-token")
    reset_settings()
    _resolver(monkeypatch)
    url, params = "http://127.0.0.1:8000/telephony/sandbox/status/7/c1", {"CallStatus": "completed"}

    carrier = get_call_carrier(7, None, is_test=True)

    assert "127.0.0.1:9" in repr(carrier)
    assert carrier.webhook_is_authentic(url, params, RequestValidator("local-token").compute_signature(url, params))


def test_without_a_sandbox_url_the_sandbox_carrier_is_unavailable(monkeypatch):
    from shared.providers.telephony.calls import OutboundCall

    monkeypatch.delenv("SANDBOX_CARRIER_URL", raising=False)
    reset_settings()
    call = OutboundCall("c1", "+14155550123", None, "http://x/voice", "http://x/status", 60)

    with pytest.raises(Unavailable):
        get_call_carrier(7, "US", is_test=True).place_call(call)


@pytest.mark.parametrize("name", ["twilio", "exotel", "sandbox"])
def test_webhooks_go_back_to_the_carrier_that_placed_the_call(monkeypatch, name):
    _resolver(monkeypatch, exotel=EXOTEL, twilio=TWILIO)

    assert get_call_carrier_named(7, name).name == name


@pytest.mark.parametrize("name", ["twilio", "exotel", "plivo"])
def test_a_carrier_whose_credentials_are_gone_is_unavailable(monkeypatch, name):
    _resolver(monkeypatch)

    with pytest.raises(Unavailable) as failed:
        get_call_carrier_named(7, name)

    assert failed.value.code == "TELEPHONY_NOT_CONFIGURED"
