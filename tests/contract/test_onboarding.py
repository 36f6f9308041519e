"""Onboarding over HTTP: catalogue, status, mode, credentials (sealed with the local MEK), delete, complete.

The local stack has no provider fakes wired in yet, so a saved key cannot validate here: these tests
prove it is saved anyway, with `validated: false` and a reason (live validation itself is proven against
a local fake in tests/integration/test_onboarding_credentials.py).
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.contract.helpers import (
    JSON_CONTENT,
    MALFORMED_BODIES,
    Account,
    assert_client_error,
    assert_error,
    bearer,
    mint_key,
    sign_up_and_log_in,
)

PROVIDER_IDS = {"anthropic", "twilio", "exotel", "cartesia", "deepgram"}
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ANTHROPIC_KEY = "sk-ant-api03-contract-test-not-a-real-key-4321"


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url)


def _status(http, base_url, account) -> dict:
    response = http.get(f"{base_url}/onboarding/status", headers=account.auth)
    assert response.status_code == 200, response.text
    return response.json()


def _save(http, base_url, account, provider, body) -> requests.Response:
    return http.put(f"{base_url}/onboarding/credentials/{provider}", headers=account.auth, json=body)


def test_the_catalogue_is_public_and_lists_five_providers_with_field_schemas(base_url, http):
    response = http.get(f"{base_url}/onboarding/providers")
    assert response.status_code == 200, response.text
    providers = {provider["id"]: provider for provider in response.json()["providers"]}
    assert set(providers) == PROVIDER_IDS
    for provider in providers.values():
        assert provider["category"] in {"llm", "telephony", "tts", "stt"}
        assert provider["docs_url"].startswith("https://")
        assert all({"name", "label", "secret", "required"} <= set(field) for field in provider["fields"])
    assert {field["name"] for field in providers["exotel"]["fields"]} == {"api_key", "api_token", "account_sid",
                                                                          "subdomain", "voicebot_app_id"}


def test_the_catalogue_is_served_under_the_api_alias(base_url, http):
    assert http.get(f"{base_url}/api/onboarding/providers").status_code == 200


def test_status_of_a_new_tenant_is_bundled_and_incomplete(base_url, http, owner):
    status = _status(http, base_url, owner)
    assert status["mode"] == "bundled"
    assert set(status["providers"]) == PROVIDER_IDS
    assert status["complete"] is False and status["completed_at"] is None
    assert all({"item", "done"} == set(item) for item in status["checklist"])


def test_status_without_credentials_is_401(base_url, http):
    assert_error(http.get(f"{base_url}/onboarding/status"), 401)


def test_switching_mode_to_byok_is_reflected_in_status(base_url, http, owner):
    response = http.put(f"{base_url}/onboarding/mode", headers=owner.auth, json={"mode": "byok"})
    assert response.status_code == 200, response.text
    assert _status(http, base_url, owner)["mode"] == "byok"


def test_an_unknown_mode_is_400(base_url, http, owner):
    response = http.put(f"{base_url}/onboarding/mode", headers=owner.auth, json={"mode": "free"})
    assert_error(response, 400, field="mode")


def test_a_key_the_provider_refuses_is_kept_unvalidated_and_is_never_echoed(base_url, http, owner):
    # The stack's provider stand-in refuses any key containing "invalid" (tests never reach a real provider).
    refused_key = "sk-ant-invalid-key-4321"
    response = _save(http, base_url, owner, "anthropic", {"secret": refused_key})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True and body["validated"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert body["credential"]["secret_last4"] == "4321"
    assert RFC3339_UTC.match(body["credential"]["saved_at"])
    assert refused_key not in response.text
    state = _status(http, base_url, owner)["providers"]["anthropic"]
    assert state["saved"] is True and state["validated"] is False


def test_a_key_the_provider_accepts_is_saved_validated(base_url, http, owner):
    response = _save(http, base_url, owner, "anthropic", {"secret": ANTHROPIC_KEY})

    assert response.status_code == 200, response.text
    assert response.json()["validated"] is True and ANTHROPIC_KEY not in response.text
    assert _status(http, base_url, owner)["providers"]["anthropic"]["validated"] is True


def test_saving_for_an_unknown_provider_is_404(base_url, http, owner):
    assert_error(_save(http, base_url, owner, "openai", {"secret": "sk-x"}), 404, "PROVIDER_NOT_FOUND")


def test_saving_without_a_secret_is_400(base_url, http, owner):
    assert_error(_save(http, base_url, owner, "anthropic", {}), 400, field="secret")


def test_a_key_in_the_wrong_format_is_saved_unvalidated_as_the_reference_shows(base_url, http, owner):
    wrong_format = "sk-proj-an-openai-key-pasted-here-7788"
    response = _save(http, base_url, owner, "anthropic", {"secret": wrong_format})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["saved"], body["validated"]) == (True, False)
    assert isinstance(body["error"], str) and "format" in body["error"]
    assert body["credential"]["secret_last4"] == "7788" and wrong_format not in response.text
    state = _status(http, base_url, owner)["providers"]["anthropic"]
    assert (state["saved"], state["validated"]) == (True, False)


def test_saving_an_empty_secret_is_400(base_url, http, owner):
    assert_error(_save(http, base_url, owner, "anthropic", {"secret": "  "}), 400, field="secret")


def test_a_twilio_credential_with_a_malformed_account_sid_is_400(base_url, http, owner):
    response = _save(http, base_url, owner, "twilio", {"primary_id": "not-a-sid", "secret": "f" * 32})
    assert_error(response, 400, "VALIDATION_ERROR", field="primary_id")


@pytest.mark.parametrize("label", sorted(MALFORMED_BODIES))
def test_malformed_credential_bodies_are_client_errors(base_url, http, owner, label):
    response = http.put(f"{base_url}/onboarding/credentials/anthropic", headers={**owner.auth, **JSON_CONTENT},
                        data=MALFORMED_BODIES[label])
    assert_client_error(response)


def test_deleting_a_saved_key_removes_it(base_url, http, owner):
    _save(http, base_url, owner, "anthropic", {"secret": ANTHROPIC_KEY})
    response = http.delete(f"{base_url}/onboarding/credentials/anthropic", headers=owner.auth)
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] is True
    assert _status(http, base_url, owner)["providers"]["anthropic"]["saved"] is False


def test_deleting_a_key_that_was_never_saved_is_404(base_url, http, owner):
    assert_error(http.delete(f"{base_url}/onboarding/credentials/deepgram", headers=owner.auth), 404)


def test_deleting_needs_an_admin_scope(base_url, http, owner):
    _save(http, base_url, owner, "anthropic", {"secret": ANTHROPIC_KEY})
    key = mint_key(http, base_url, owner, scope="write")
    response = http.delete(f"{base_url}/onboarding/credentials/anthropic", headers=bearer(key["secret"]))
    assert_error(response, 403)


def test_a_bundled_tenant_completes_at_once(base_url, http, owner):
    response = http.post(f"{base_url}/onboarding/complete", headers=owner.auth)
    assert response.status_code == 200, response.text
    assert response.json()["complete"] is True
    assert RFC3339_UTC.match(response.json()["completed_at"])
    assert _status(http, base_url, owner)["complete"] is True


def test_a_byok_tenant_without_validated_keys_gets_409_listing_what_is_missing(base_url, http, owner):
    http.put(f"{base_url}/onboarding/mode", headers=owner.auth, json={"mode": "byok"})
    body = assert_error(http.post(f"{base_url}/onboarding/complete", headers=owner.auth), 409,
                        "ONBOARDING_INCOMPLETE")
    assert {problem["field"] for problem in body["errors"]} == {"llm", "telephony", "tts"}


def test_deleting_a_key_after_completion_makes_onboarding_incomplete(base_url, http, owner):
    _save(http, base_url, owner, "anthropic", {"secret": ANTHROPIC_KEY})
    http.post(f"{base_url}/onboarding/complete", headers=owner.auth)
    http.delete(f"{base_url}/onboarding/credentials/anthropic", headers=owner.auth)
    assert _status(http, base_url, owner)["complete"] is False
