"""Live validation: each provider is probed the way its API authenticates, and every failure is a verdict."""

from __future__ import annotations

import base64
import socket

import pytest

from shared.onboarding import validation
from tests.fakes.provider_validation import FakeProviderApis

GOOD = "good-secret-1234"


@pytest.fixture
def fake(monkeypatch):
    with FakeProviderApis() as apis:
        apis.point_validation_here(monkeypatch)
        apis.accepted_secrets.add(GOOD)
        yield apis


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(("provider", "primary_id", "extra", "path", "header", "value"), [
    ("anthropic", None, {}, "/v1/models", "x-api-key", GOOD),
    ("twilio", "AC" + "a" * 32, {}, "/2010-04-01/Accounts/AC" + "a" * 32 + ".json", "authorization",
     _basic("AC" + "a" * 32, GOOD)),
    ("exotel", "exo-key", {"account_sid": "acme1", "subdomain": "api.in.exotel.com"}, "/v1/Accounts/acme1",
     "authorization", _basic("exo-key", GOOD)),
    ("cartesia", None, {}, "/voices", "x-api-key", GOOD),
    ("deepgram", None, {}, "/v1/projects", "authorization", f"Token {GOOD}"),
])
def test_each_provider_is_probed_with_its_own_authentication(fake, provider, primary_id, extra, path, header, value):
    # When a good credential is validated
    verdict = validation.validate(provider, primary_id, GOOD, extra)
    # Then the provider's identity endpoint was called the provider's way, and the verdict is positive
    assert verdict == validation.Verdict(validated=True)
    assert fake.probes[-1].path == path
    assert fake.probes[-1].headers[header] == value


def test_a_secret_the_provider_refuses_is_rejected_by_provider(fake):
    verdict = validation.validate("anthropic", None, "sk-ant-wrong", {})
    assert verdict == validation.Verdict(validated=False, error="rejected by provider")


def test_a_403_is_also_rejected_by_provider(fake):
    fake.answer_status(403)
    assert validation.validate("deepgram", None, GOOD, {}).error == "rejected by provider"


def test_a_provider_error_is_reported_with_its_status(fake):
    fake.answer_status(503)
    verdict = validation.validate("cartesia", None, GOOD, {})
    assert verdict == validation.Verdict(validated=False, error="provider answered HTTP 503")


def test_a_slow_provider_times_out_into_a_negative_verdict(fake, monkeypatch):
    # Given a provider slower than the timeout
    monkeypatch.setattr(validation, "TIMEOUT_SECONDS", 0.2)
    fake.delay_seconds = 1.0
    # Then validation gives up with a verdict, not an exception
    verdict = validation.validate("anthropic", None, GOOD, {})
    assert verdict.validated is False
    assert "did not answer within" in verdict.error


def test_an_unreachable_provider_gives_a_negative_verdict(monkeypatch):
    # Given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setitem(validation.BASE_URLS, "deepgram", f"http://127.0.0.1:{closed_port}")
    verdict = validation.validate("deepgram", None, GOOD, {})
    assert verdict.validated is False
    assert verdict.error.startswith("provider unreachable")


def test_a_redirect_is_not_followed_so_the_secret_stays_with_the_provider(fake):
    # Given a provider answering with a redirect
    fake.answer_status(302)
    # Then the verdict is negative and only one request was made
    verdict = validation.validate("anthropic", None, GOOD, {})
    assert verdict == validation.Verdict(validated=False, error="provider answered HTTP 302")
    assert len(fake.probes) == 1


def test_the_error_never_contains_the_secret(fake):
    fake.answer_status(500)
    verdict = validation.validate("anthropic", None, GOOD, {})
    assert GOOD not in verdict.error


def test_the_exotel_host_is_the_tenants_region_host():
    probe = validation._probe("exotel", "key", "token", {"account_sid": "acme1", "subdomain": "@api.exotel.com"})
    assert probe.url == "https://api.exotel.com/v1/Accounts/acme1"
