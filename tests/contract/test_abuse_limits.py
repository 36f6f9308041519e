"""Abuse limits over HTTP, as an office and as an attacker would meet them.

The limits are tried on a second stack started with the CLOUD's defaults (the laptop stack relaxes the per-IP
ones, since every client of it is 127.0.0.1). Clients there leave from distinct loopback addresses
(`session_from("127.x.y.z")`), which the stack sees as distinct source IPs. The rule that real carrier calls
need a verified email runs on the ordinary stack.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from shared.platform.settings import Settings
from tests.contract.conftest import STACK_ENVIRONMENT, running_stack
from tests.contract.helpers import (
    PASSWORD,
    assert_error,
    session_from,
    sign_up,
    sign_up_and_log_in,
    unique_email,
    verify_email,
)

#: The abuse limits' settings at their cloud defaults, by environment variable.
ABUSE_LIMIT_FIELDS = ("login_failures_allowed", "login_ip_failures_allowed", "login_lockout_base_seconds",
                      "login_failure_window_seconds", "signups_per_ip", "signup_window_seconds", "previews_per_ip",
                      "preview_window_seconds")
CLOUD_DEFAULTS = {name: Settings.model_fields[name].default for name in ABUSE_LIMIT_FIELDS}
CLOUD_ENVIRONMENT = {Settings.model_fields[name].alias: str(value) for name, value in CLOUD_DEFAULTS.items()}
OFFICE_IP = "127.0.10.1"
OPENER = "Hi, this is Kai, an automated AI assistant calling for Acme. This call is recorded."
TWILIO = {"primary_id": "AC" + "0" * 32, "secret": "f" * 32}


@pytest.fixture(scope="module")
def strict_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_stack({**STACK_ENVIRONMENT, **CLOUD_ENVIRONMENT}, tmp_path_factory.mktemp("strict_stack")) as stack:
        yield stack.base_url


def _log_in(client: requests.Session, base_url: str, email: str, password: str = PASSWORD) -> requests.Response:
    client.cookies.clear()
    return client.post(f"{base_url}/auth/login", json={"email": email, "password": password})


def test_fifty_colleagues_log_in_from_one_office_address_within_a_minute(strict_url: str) -> None:
    # Given fifty colleagues who signed up from home (one address each)
    emails = [unique_email("colleague") for _ in range(50)]
    for index, email in enumerate(emails):
        with session_from(f"127.0.11.{index + 1}") as home:
            assert sign_up(home, strict_url, email=email).status_code == 201
    # When they all log in from the office's one address within a minute
    started = time.monotonic()
    with session_from(OFFICE_IP) as office:
        statuses = [_log_in(office, strict_url, email).status_code for email in emails]
    # Then every login succeeds
    assert statuses == [200] * 50
    assert time.monotonic() - started < 60


def test_a_password_spraying_client_is_stopped_with_429_and_retry_after(strict_url: str) -> None:
    # Given a real account, and a client trying one password against many emails from one address
    victim = unique_email("victim")
    with session_from("127.0.12.1") as home:
        assert sign_up(home, strict_url, email=victim).status_code == 201
    with session_from("127.0.12.2") as sprayer:
        sprayed = [_log_in(sprayer, strict_url, unique_email("staff"), "Summer2026!").status_code
                   for _ in range(CLOUD_DEFAULTS["login_ip_failures_allowed"])]
        # When it goes on, even with the real account's right password
        refused = _log_in(sprayer, strict_url, victim)
    # Then it is stopped and told when to retry, learning nothing about the password
    assert set(sprayed) == {401}
    assert_error(refused, 429, "TOO_MANY_LOGIN_ATTEMPTS")
    assert int(refused.headers["Retry-After"]) > 0
    # While the account's owner, elsewhere, logs in
    with session_from(OFFICE_IP) as office:
        assert _log_in(office, strict_url, victim).status_code == 200


def test_guessing_one_password_locks_that_email_with_a_growing_lockout(strict_url: str) -> None:
    victim = unique_email("guessed")
    with session_from("127.0.13.1") as client:
        assert sign_up(client, strict_url, email=victim).status_code == 201
        for _ in range(CLOUD_DEFAULTS["login_failures_allowed"]):
            assert _log_in(client, strict_url, victim, "a wrong guess").status_code == 401
        refused = _log_in(client, strict_url, victim)
    assert_error(refused, 429, "TOO_MANY_LOGIN_ATTEMPTS")
    assert 0 < int(refused.headers["Retry-After"]) <= CLOUD_DEFAULTS["login_lockout_base_seconds"]


def test_signups_are_limited_per_source_ip(strict_url: str) -> None:
    allowed = CLOUD_DEFAULTS["signups_per_ip"]
    with session_from("127.0.14.1") as client:
        statuses = [sign_up(client, strict_url).status_code for _ in range(allowed)]
        refused = sign_up(client, strict_url)
    assert statuses == [201] * allowed
    assert_error(refused, 429, "RATE_LIMITED")
    assert 0 < int(refused.headers["Retry-After"]) <= CLOUD_DEFAULTS["signup_window_seconds"]
    with session_from("127.0.14.2") as elsewhere:
        assert sign_up(elsewhere, strict_url).status_code == 201


def test_opener_previews_are_cached_and_limited_per_source_ip(strict_url: str) -> None:
    allowed = CLOUD_DEFAULTS["previews_per_ip"]
    body = {"text": OPENER, "persona": "kai"}
    with session_from("127.0.15.1") as client:
        previews = [client.post(f"{strict_url}/api/workflows/preview-opening", json=body) for _ in range(allowed)]
        refused = client.post(f"{strict_url}/api/workflows/preview-opening", json=body)
    assert {preview.status_code for preview in previews} == {200}
    assert len({preview.json()["mp3_url"] for preview in previews}) == 1  # one stored MP3 for (text, persona)
    assert_error(refused, 429, "RATE_LIMITED")
    assert int(refused.headers["Retry-After"]) > 0
    with session_from("127.0.15.2") as elsewhere:
        assert elsewhere.post(f"{strict_url}/api/workflows/preview-opening", json=body).status_code == 200


# --- Real carrier calls need a verified email (the ordinary stack) ---

def _workflow_on_twilio(http: requests.Session, base_url: str, account) -> str:
    """A ready workflow of a workspace that brings its own Twilio account (checked by the stack's stand-in)."""
    assert http.put(f"{base_url}/onboarding/mode", headers=account.auth, json={"mode": "byok"}).status_code == 200
    saved = http.put(f"{base_url}/onboarding/credentials/twilio", headers=account.auth, json=TWILIO)
    assert saved.status_code == 200 and saved.json()["validated"] is True, saved.text
    workflow = http.post(f"{base_url}/api/workflows", headers=account.auth,
                         json={"nl_prompt": "Renewal reminders for our US customers, 9am-8pm Eastern"}).json()
    uploaded = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=account.auth,
                         json={"rows": [{"phone": "+14155550108"}]})
    assert uploaded.status_code == 200, uploaded.text
    attested = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", headers=account.auth,
                        json={"consent_attestation_text": "Every contact opted in on our web form"})
    assert attested.status_code == 200, attested.text
    return workflow["id"]


def test_an_unverified_workspace_cannot_spend_on_real_carrier_calls(http: requests.Session, base_url: str) -> None:
    # Given a workspace whose email is not confirmed, calling through its own Twilio account
    owner = sign_up_and_log_in(http, base_url, country="US")
    workflow_id = _workflow_on_twilio(http, base_url, owner)
    # When it starts a run
    refused = http.post(f"{base_url}/api/workflows/{workflow_id}/run", headers=owner.auth)
    # Then it is told to verify its email first
    assert_error(refused, 409, "EMAIL_NOT_VERIFIED", field="email")
    # And once verified, the run goes on to the carrier's own checks (here: no Twilio number yet)
    assert verify_email(http, base_url, owner.email).status_code == 200
    after = http.post(f"{base_url}/api/workflows/{workflow_id}/run", headers=owner.auth)
    assert_error(after, 409, "WORKFLOW_NOT_READY", field="number")
