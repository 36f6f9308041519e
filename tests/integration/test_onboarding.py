"""Onboarding through the API: the public catalogue, status, mode, completion and deleting a credential."""

from __future__ import annotations

import base64
import os

import pytest

from shared.platform import crypto
from shared.platform.settings import reset_settings
from tests.fakes.provider_validation import FakeProviderApis
from tests.integration.conftest import mint_key, sign_up_and_log_in

KEYS = {"anthropic": {"secret": "sk-ant-api03-llm-key-0001"},
        "twilio": {"primary_id": "AC" + "0123456789abcdef" * 2, "secret": "0123456789abcdef" * 2},
        "cartesia": {"secret": "cartesia-key-0003"}}


@pytest.fixture
def providers(api, monkeypatch):
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    reset_settings()
    crypto.clear_key_cache()
    with FakeProviderApis() as fake:
        fake.point_validation_here(monkeypatch)
        fake.accepted_secrets.update(body["secret"] for body in KEYS.values())
        yield fake
    reset_settings()


def _mode(api, account, mode):
    return api.request("PUT", "/onboarding/mode", json_body={"mode": mode}, token=account.token)


def _save_all(api, account):
    for provider, body in KEYS.items():
        reply = api.request("PUT", f"/onboarding/credentials/{provider}", json_body=body, token=account.token)
        assert reply.body["validated"] is True, reply.body


def _status(api, account):
    reply = api.get("/onboarding/status", token=account.token)
    assert reply.status == 200, reply.body
    return reply.body


def test_the_provider_catalogue_is_public(api):
    reply = api.get("/onboarding/providers")
    assert reply.status == 200
    by_id = {provider["id"]: provider for provider in reply.body["providers"]}
    assert set(by_id) == {"anthropic", "twilio", "exotel", "cartesia", "deepgram"}
    twilio_fields = {field["name"]: field for field in by_id["twilio"]["fields"]}
    assert twilio_fields["account_sid"]["pattern"].startswith("^AC")
    assert twilio_fields["auth_token"]["secret"] is True
    assert by_id["exotel"]["category"] == "telephony" and by_id["exotel"]["docs_url"].startswith("https://")


def test_a_new_tenant_is_bundled_with_nothing_saved_and_not_complete(api):
    account = sign_up_and_log_in(api)
    status = _status(api, account)
    assert status["mode"] == "bundled"
    assert all(state == {"saved": False, "validated": None, "validated_at": None, "error": None}
               for state in status["providers"].values())
    assert (status["complete"], status["completed_at"]) == (False, None)


def test_status_needs_authentication(api):
    assert api.get("/onboarding/status").status == 401


def test_switching_to_byok_shows_in_status_with_its_checklist(api):
    account = sign_up_and_log_in(api)
    reply = _mode(api, account, "byok")
    assert reply.status == 200 and reply.body["mode"] == "byok"
    status = _status(api, account)
    assert status["mode"] == "byok"
    assert {item["item"] for item in status["checklist"] if not item["done"]} == {
        "llm credential validated", "telephony credential validated", "tts credential validated"}


def test_an_unknown_mode_is_400(api):
    account = sign_up_and_log_in(api)
    reply = _mode(api, account, "cheapest")
    assert reply.status == 400 and reply.body["field"] == "mode"


def test_a_bundled_tenant_can_complete_at_once(api):
    account = sign_up_and_log_in(api)
    reply = api.post("/onboarding/complete", token=account.token)
    assert reply.status == 200 and reply.body["complete"] is True
    assert _status(api, account)["completed_at"] == reply.body["completed_at"]


def test_a_byok_tenant_without_keys_gets_409_listing_what_is_missing(api):
    account = sign_up_and_log_in(api)
    _mode(api, account, "byok")
    reply = api.post("/onboarding/complete", token=account.token)
    assert reply.status == 409
    assert reply.body["code"] == "ONBOARDING_INCOMPLETE"
    assert [problem["field"] for problem in reply.body["errors"]] == ["llm", "telephony", "tts"]


def test_a_byok_tenant_with_validated_llm_telephony_and_tts_keys_completes(api, providers):
    account = sign_up_and_log_in(api)
    _mode(api, account, "byok")
    _save_all(api, account)
    reply = api.post("/onboarding/complete", token=account.token)
    assert reply.status == 200, reply.body
    assert _status(api, account)["complete"] is True


def test_deleting_a_credential_flips_onboarding_back_to_incomplete(api, providers):
    # Given a completed byok onboarding
    account = sign_up_and_log_in(api)
    _mode(api, account, "byok")
    _save_all(api, account)
    api.post("/onboarding/complete", token=account.token)
    # When the owner deletes the TTS key
    reply = api.delete("/onboarding/credentials/cartesia", token=account.token)
    # Then it is gone and onboarding is incomplete again
    assert reply.status == 200 and reply.body["deleted"] is True
    status = _status(api, account)
    assert status["providers"]["cartesia"]["saved"] is False
    assert (status["complete"], status["completed_at"]) == (False, None)


def test_deleting_needs_the_admin_scope(api, providers):
    account = sign_up_and_log_in(api)
    _save_all(api, account)
    key = mint_key(api, account, scope="write")
    reply = api.delete("/onboarding/credentials/anthropic", token=key["secret"])
    assert reply.status == 403
    assert _status(api, account)["providers"]["anthropic"]["saved"] is True


def test_deleting_a_credential_that_was_never_saved_is_404(api):
    account = sign_up_and_log_in(api)
    assert api.delete("/onboarding/credentials/deepgram", token=account.token).status == 404
    assert api.delete("/onboarding/credentials/nobody", token=account.token).status == 404


def test_switching_to_bundled_keeps_saved_keys(api, providers):
    account = sign_up_and_log_in(api)
    _mode(api, account, "byok")
    _save_all(api, account)
    _mode(api, account, "bundled")
    status = _status(api, account)
    assert status["mode"] == "bundled"
    assert all(status["providers"][provider]["validated"] is True for provider in KEYS)


def test_switching_a_completed_bundled_tenant_to_byok_without_keys_makes_it_incomplete(api):
    account = sign_up_and_log_in(api)
    api.post("/onboarding/complete", token=account.token)
    reply = _mode(api, account, "byok")
    assert reply.body["complete"] is False
    assert _status(api, account)["complete"] is False


def test_one_tenant_never_sees_anothers_credentials(api, providers):
    first, second = sign_up_and_log_in(api), sign_up_and_log_in(api)
    _save_all(api, first)
    assert not any(state["saved"] for state in _status(api, second)["providers"].values())
    assert api.delete("/onboarding/credentials/anthropic", token=second.token).status == 404


def test_a_write_based_on_a_stale_read_is_refused_not_lost(api):
    from shared.onboarding import repository
    from shared.platform.errors import Conflict

    # Given two requests that read the same onboarding state
    account = sign_up_and_log_in(api)
    _mode(api, account, "bundled")
    first, second = repository.load(account.tenant_id), repository.load(account.tenant_id)
    # When the first writes, Then the second (now stale) is refused with 409
    repository.save_mode(first, "byok", None)
    with pytest.raises(Conflict) as raised:
        repository.save_mode(second, "bundled", None)
    assert raised.value.code == "ONBOARDING_CHANGED"
    assert _status(api, account)["mode"] == "byok"


def test_completion_is_refused_when_a_key_it_relies_on_was_deleted_meanwhile(api, providers):
    from shared.onboarding import repository
    from shared.onboarding.rules import relied_on
    from shared.platform import clock
    from shared.platform.errors import Conflict

    # Given a byok tenant ready to complete, whose LLM key is deleted after the completion read its state
    account = sign_up_and_log_in(api)
    _mode(api, account, "byok")
    _save_all(api, account)
    ready = repository.load(account.tenant_id)
    api.delete("/onboarding/credentials/anthropic", token=account.token)
    # When the completion is written, Then the transaction refuses it
    with pytest.raises(Conflict):
        repository.mark_complete(ready, clock.now_seconds(), relied_on(ready))
    assert _status(api, account)["complete"] is False
