"""Which carrier serves a tenant, from the credential resolver; and the sandbox inventory's promises."""

import phonenumbers
import pytest

from shared.onboarding import credentials
from shared.onboarding.credentials import ResolvedCredential
from shared.onboarding.telephony_selection import get_telephony
from shared.providers.telephony.sandbox import INVENTORY, SandboxTelephony, preowned_numbers

TWILIO = ResolvedCredential(provider="twilio", source="byok", secret="a" * 32, primary_id="AC" + "1" * 32)
EXOTEL = {"api_key": "k", "api_token": "t", "account_sid": "sid", "subdomain": "@api.in.exotel.com"}


def _resolver(monkeypatch, **by_provider):
    monkeypatch.setattr(credentials, "resolve_credential", lambda tenant_id, provider: by_provider.get(provider))


def test_exotel_serves_india_when_configured(monkeypatch):
    _resolver(monkeypatch, exotel=EXOTEL, twilio=TWILIO)

    assert get_telephony(7, "IN").name == "exotel"


def test_twilio_serves_other_countries_even_when_exotel_is_configured(monkeypatch):
    _resolver(monkeypatch, exotel=EXOTEL, twilio=TWILIO)

    assert get_telephony(7, "US").name == "twilio"


def test_twilio_serves_india_when_exotel_is_not_configured(monkeypatch):
    _resolver(monkeypatch, twilio=TWILIO)

    assert get_telephony(7, "IN").name == "twilio"


def test_the_sandbox_serves_when_no_carrier_is_configured(monkeypatch):
    _resolver(monkeypatch)

    assert get_telephony(7, "US").name == "sandbox"


@pytest.mark.parametrize("country", sorted(INVENTORY))
def test_sandbox_numbers_are_valid_numbers_of_their_country(country):
    found = SandboxTelephony(1).search_available(country, None, 50)

    assert len(found) == 50 and len({number.phone_e164 for number in found}) == 50
    for number in found:
        parsed = phonenumbers.parse(number.phone_e164)
        assert phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed) == country


def test_the_sandbox_lists_the_same_numbers_every_time():
    assert SandboxTelephony(1).search_available("IN", "22", 5) == SandboxTelephony(2).search_available("IN", "22", 5)


def test_the_sandbox_never_offers_a_number_its_accounts_already_hold():
    offered = {number.phone_e164 for number in SandboxTelephony(1).search_available("US", None, 50)}

    assert offered.isdisjoint(preowned_numbers("US"))


def test_the_sandbox_has_nothing_in_countries_it_does_not_stock():
    assert SandboxTelephony(1).search_available("FR", None, 5) == []
