"""Onboarding rules: credential fields against the catalogue, and what completion needs in each mode."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.onboarding import providers
from shared.onboarding.models import OnboardingState, StoredCredential
from shared.onboarding.rules import check_fields, checklist, missing_categories, relied_on, secret_format_problem
from shared.platform.errors import BadRequest

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "f" * 32


def _saved(provider: str, validated: bool | None) -> StoredCredential:
    return StoredCredential(tenant_id=1, provider=provider, primary_id=None, extra={}, secret_last4="1234",
                            saved_at=datetime(2026, 1, 1, tzinfo=UTC), validated=validated, validated_at=None,
                            validation_error=None)


def _byok(*validated: str, refused: tuple[str, ...] = ()) -> OnboardingState:
    credentials = {p: _saved(p, True) for p in validated} | {p: _saved(p, False) for p in refused}
    return OnboardingState(tenant_id=1, mode="byok", credentials=credentials)


def test_the_catalogue_has_the_five_providers_with_categories():
    assert {(p.id, p.category) for p in providers.PROVIDERS} == {
        ("anthropic", "llm"), ("twilio", "telephony"), ("exotel", "telephony"), ("cartesia", "tts"),
        ("deepgram", "stt")}


def test_every_provider_has_exactly_one_secret_field():
    for provider in providers.PROVIDERS:
        assert [f.slot for f in provider.fields if f.secret] == ["secret"], provider.id


def test_a_twilio_credential_is_trimmed_and_accepted():
    assert check_fields(providers.find("twilio"), f" {SID} ", f"{TOKEN}\n", {}) == (SID, TOKEN, {})


def test_a_twilio_credential_without_account_sid_names_the_field():
    with pytest.raises(BadRequest) as raised:
        check_fields(providers.find("twilio"), None, TOKEN, {})
    assert raised.value.field == "primary_id"


def test_a_malformed_account_sid_is_refused():
    with pytest.raises(BadRequest) as raised:
        check_fields(providers.find("twilio"), "XX123", TOKEN, {})
    assert raised.value.field == "primary_id"


def test_all_problems_of_an_exotel_credential_are_reported_at_once():
    # Given an Exotel credential without api key, account sid, and with a host that is not Exotel's
    with pytest.raises(BadRequest) as raised:
        check_fields(providers.find("exotel"), None, "token", {"subdomain": "evil.example.com"})
    # Then each problem names its field
    assert [p["field"] for p in raised.value.errors] == ["primary_id", "extra.account_sid", "extra.subdomain"]


def test_exotel_keeps_its_known_extras_and_drops_unknown_ones():
    _, _, extra = check_fields(providers.find("exotel"), "key", "token",
                               {"account_sid": "acme1", "subdomain": "api.in.exotel.com", "colour": "red"})
    assert extra == {"account_sid": "acme1", "subdomain": "api.in.exotel.com"}


def test_a_primary_id_is_dropped_for_a_provider_that_has_none():
    assert check_fields(providers.find("anthropic"), "ignored", "sk-ant-abc", {}) == (None, "sk-ant-abc", {})


@pytest.mark.parametrize("provider", ["anthropic", "cartesia", "twilio"])
def test_a_blank_secret_is_refused_as_missing(provider):
    with pytest.raises(BadRequest) as raised:
        check_fields(providers.find(provider), SID, " \t ", {})
    assert raised.value.field == "secret"


def test_a_secret_in_the_wrong_format_passes_the_field_check_and_gets_a_format_verdict():
    anthropic = providers.find("anthropic")
    assert check_fields(anthropic, None, "sk-proj-openai", {}) == (None, "sk-proj-openai", {})
    assert secret_format_problem(anthropic, "sk-proj-openai").startswith("rejected by format check: API key")
    assert secret_format_problem(anthropic, "sk-ant-abc") is None
    assert secret_format_problem(providers.find("cartesia"), "anything") is None  # no format to check


def test_bundled_mode_needs_nothing():
    state = OnboardingState(tenant_id=1, mode="bundled")
    assert all(item.done for item in checklist(state))
    assert missing_categories(state) == []


def test_byok_needs_a_validated_llm_telephony_and_tts_credential():
    # Given a byok tenant with a validated LLM key, a refused Twilio token and nothing for TTS
    state = _byok("anthropic", refused=("twilio",))
    # Then telephony and tts are missing, and the checklist says so
    assert [p["field"] for p in missing_categories(state)] == ["telephony", "tts"]
    assert {i.item: i.done for i in checklist(state)} == {"llm credential validated": True,
                                                         "telephony credential validated": False,
                                                         "tts credential validated": False}


def test_byok_is_ready_with_exotel_as_telephony_and_without_speech_to_text():
    state = _byok("anthropic", "exotel", "cartesia")
    assert missing_categories(state) == []
    assert relied_on(state) == ["anthropic", "exotel", "cartesia"]
