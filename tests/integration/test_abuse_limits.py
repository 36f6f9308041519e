"""Abuse limits on public routes, through the API Gateway adapter on moto, with the cloud's default settings:
failed logins per email and per IP (with a growing lockout), signups and opener previews per IP."""

from __future__ import annotations

import pytest

from shared.auth import abuse_limits
from shared.platform.settings import get_settings
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration
OFFICE_IP = "198.51.100.10"
SPRAYER_IP = "203.0.113.66"
OPENER = "Hi, this is Kai, an automated AI assistant calling for Acme. This call is recorded."


@pytest.fixture
def wall_clock(monkeypatch):
    """The abuse limits' clock (real time), held still and moved by hand."""
    now = {"seconds": 2_000_000_000}
    monkeypatch.setattr(abuse_limits, "now_seconds", lambda: now["seconds"])
    return now


def _log_in(api, email, password, source_ip=OFFICE_IP):
    return api.post("/auth/login", {"email": email, "password": password}, source_ip=source_ip)


def test_thirty_colleagues_log_in_from_one_office_address(api):
    colleagues = [sign_up_and_log_in(api) for _ in range(30)]

    replies = [_log_in(api, colleague.email, colleague.password) for colleague in colleagues]

    assert [reply.status for reply in replies] == [200] * 30


def test_a_password_spraying_client_is_stopped_even_for_a_real_account(api):
    victim = sign_up_and_log_in(api)
    allowed = get_settings().login_ip_failures_allowed
    # Given one address trying one password against many emails
    sprayed = [_log_in(api, f"staff{index}@example.com", "Summer2026!", SPRAYER_IP) for index in range(allowed)]
    assert {reply.status for reply in sprayed} == {401}

    # When it tries again, even the right password of a real account
    refused = _log_in(api, victim.email, victim.password, SPRAYER_IP)

    # Then it is told to back off, and learns nothing about the password
    assert (refused.status, refused.body["code"]) == (429, "TOO_MANY_LOGIN_ATTEMPTS")
    assert int(refused.headers["retry-after"]) == get_settings().login_lockout_base_seconds
    # While the victim, elsewhere, logs in
    assert _log_in(api, victim.email, victim.password).status == 200


def test_guessing_one_accounts_password_locks_that_email_from_every_address(api):
    victim = sign_up_and_log_in(api)
    for index in range(get_settings().login_failures_allowed):
        assert _log_in(api, victim.email, "a wrong guess", f"192.0.2.{index + 1}").status == 401

    refused = _log_in(api, victim.email, victim.password, "192.0.2.200")

    assert (refused.status, refused.body["code"]) == (429, "TOO_MANY_LOGIN_ATTEMPTS")
    assert int(refused.headers["retry-after"]) > 0


def test_the_lockout_doubles_with_each_failure_after_it_and_then_is_forgotten(api, wall_clock, settings):
    settings(LOGIN_FAILURES_ALLOWED="2", LOGIN_LOCKOUT_BASE_SECONDS="30", LOGIN_FAILURE_WINDOW_SECONDS="900")
    victim = sign_up_and_log_in(api)
    lockouts = []
    for _ in range(4):
        while _log_in(api, victim.email, "a wrong guess").status == 401:
            pass
        refused = _log_in(api, victim.email, victim.password)
        lockouts.append(int(refused.headers["retry-after"]))
        wall_clock["seconds"] += lockouts[-1]

    assert lockouts == [30, 60, 120, 240]
    wall_clock["seconds"] += 900
    assert _log_in(api, victim.email, victim.password).status == 200


def test_a_successful_login_forgets_the_emails_failures(api, settings):
    settings(LOGIN_FAILURES_ALLOWED="3")
    owner = sign_up_and_log_in(api)
    for _ in range(2):
        assert _log_in(api, owner.email, "a typo").status == 401
    assert _log_in(api, owner.email, owner.password).status == 200

    for _ in range(2):
        assert _log_in(api, owner.email, "another typo").status == 401

    assert _log_in(api, owner.email, owner.password).status == 200


def test_signups_are_limited_per_source_ip(api, settings):
    settings(SIGNUPS_PER_IP="2")

    def sign_up(index: int, source_ip: str):
        return api.post("/auth/signup", {"email": f"new{index}@example.com", "password": "long enough password"},
                        source_ip=source_ip)

    allowed = [sign_up(index, SPRAYER_IP).status for index in range(2)]
    refused = sign_up(2, SPRAYER_IP)

    assert allowed == [201, 201]
    assert (refused.status, refused.body["code"]) == (429, "RATE_LIMITED")
    assert 0 < int(refused.headers["retry-after"]) <= get_settings().signup_window_seconds
    assert sign_up(3, OFFICE_IP).status == 201


def test_previews_are_limited_per_source_ip(api, bucket, settings):
    settings(PREVIEWS_PER_IP="2")

    def preview(source_ip: str):
        return api.post("/workflows/preview-opening", {"text": OPENER, "persona": "kai"}, source_ip=source_ip)

    allowed = [preview(SPRAYER_IP).status for _ in range(2)]
    refused = preview(SPRAYER_IP)

    assert allowed == [200, 200]
    assert (refused.status, refused.body["code"]) == (429, "RATE_LIMITED")
    assert int(refused.headers["retry-after"]) > 0
    assert preview(OFFICE_IP).status == 200


def test_the_same_preview_twice_speaks_once(api, bucket, monkeypatch):
    from shared.providers.tts.sandbox import SandboxTextToSpeech
    from shared.voices import service

    spoken: list[str] = []

    class CountingTextToSpeech(SandboxTextToSpeech):
        def synthesize(self, text, *args, **kwargs):
            spoken.append(text)
            return super().synthesize(text, *args, **kwargs)

    monkeypatch.setattr(service, "get_tts", CountingTextToSpeech)
    first = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "kai"})
    second = api.post("/workflows/preview-opening", {"text": f"  {OPENER} ", "persona": "kai"})

    assert first.status == second.status == 200
    assert second.body == first.body
    assert spoken == [OPENER]
