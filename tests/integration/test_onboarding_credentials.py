"""BYOK credentials through the API: sealed at rest, validated live (against a local fake), never returned.

The local master key seals secrets here; one test repeats the round trip under moto's KMS.
"""

from __future__ import annotations

import base64
import json
import os

import pytest

from shared.platform import crypto
from shared.platform.settings import reset_settings
from tests.fakes.provider_validation import FakeProviderApis
from tests.integration.conftest import sign_up_and_log_in

ANTHROPIC_KEY = "sk-ant-api03-tenant-own-key-9XyZ"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "0123456789abcdef" * 2


@pytest.fixture
def providers(api, monkeypatch):
    """A local master key, and every provider's validation probe on a local fake that accepts our keys."""
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    reset_settings()
    crypto.clear_key_cache()
    with FakeProviderApis() as fake:
        fake.point_validation_here(monkeypatch)
        fake.accepted_secrets.update({ANTHROPIC_KEY, TWILIO_TOKEN})
        yield fake
    reset_settings()


def _put(api, account, provider, body):
    return api.request("PUT", f"/onboarding/credentials/{provider}", json_body=body, token=account.token)


def _raw_items(tenant_id: int) -> list[dict]:
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    answer = client("dynamodb").query(TableName=get_settings().table_name, KeyConditionExpression="PK = :pk",
                                      ExpressionAttributeValues={":pk": {"S": f"TENANT#{tenant_id}"}})
    return answer["Items"]


def test_a_good_key_is_saved_validated_and_shown_only_by_its_last_four(api, providers):
    account = sign_up_and_log_in(api)
    # When the tenant saves its Anthropic key
    reply = _put(api, account, "anthropic", {"secret": ANTHROPIC_KEY})
    # Then it is saved and validated, and the response never carries the secret
    assert reply.status == 200, reply.body
    assert reply.body["saved"] is True and reply.body["validated"] is True
    assert reply.body["credential"]["provider"] == "anthropic"
    assert reply.body["credential"]["secret_last4"] == ANTHROPIC_KEY[-4:]
    assert reply.body["credential"]["validated_at"] is not None
    assert ANTHROPIC_KEY not in reply.raw.decode()


def test_the_secret_is_not_stored_in_the_clear(api, providers):
    account = sign_up_and_log_in(api)
    _put(api, account, "anthropic", {"secret": ANTHROPIC_KEY})
    # Then no attribute of any item of the tenant holds the key
    stored = json.dumps(_raw_items(account.tenant_id), default=str)
    assert ANTHROPIC_KEY not in stored
    assert base64.b64encode(ANTHROPIC_KEY.encode()).decode() not in stored


def test_a_key_the_provider_refuses_is_still_saved_but_not_validated(api, providers):
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "anthropic", {"secret": "sk-ant-api03-revoked-key"})
    assert reply.status == 200, reply.body
    assert (reply.body["saved"], reply.body["validated"], reply.body["error"]) == (True, False, "rejected by provider")
    status = api.get("/onboarding/status", token=account.token).body
    assert status["providers"]["anthropic"] == {"saved": True, "validated": False, "validated_at": None,
                                                "error": "rejected by provider"}


def test_an_unreachable_provider_leaves_the_key_saved_and_unvalidated(api, providers, monkeypatch):
    from shared.onboarding import validation

    monkeypatch.setitem(validation.BASE_URLS, "twilio", "http://127.0.0.1:9")  # discard port: nothing listens
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "twilio", {"primary_id": TWILIO_SID, "secret": TWILIO_TOKEN})
    assert reply.status == 200, reply.body
    assert reply.body["validated"] is False and reply.body["error"].startswith("provider unreachable")
    assert api.get("/onboarding/status", token=account.token).body["providers"]["twilio"]["saved"] is True


def test_twilio_is_validated_with_its_account_sid_and_token(api, providers):
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "twilio", {"primary_id": TWILIO_SID, "secret": TWILIO_TOKEN})
    assert reply.body["validated"] is True, reply.body
    assert reply.body["credential"]["primary_id"] == TWILIO_SID
    assert providers.probes[-1].path == f"/2010-04-01/Accounts/{TWILIO_SID}.json"


def test_without_a_master_key_or_kms_key_saving_answers_503_and_nothing_is_sent_or_stored(api, providers,
                                                                                         monkeypatch):
    monkeypatch.delenv("CALLFUNNEL_LOCAL_MEK")
    reset_settings()
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "anthropic", {"secret": ANTHROPIC_KEY})
    assert reply.status == 503
    assert reply.body["code"] == "ENCRYPTION_UNAVAILABLE"
    assert providers.probes == []
    assert api.get("/onboarding/status", token=account.token).body["providers"]["anthropic"]["saved"] is False


def test_an_unknown_provider_is_404(api, providers):
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "openai", {"secret": "sk-whatever"})
    assert reply.status == 404
    assert reply.body["code"] == "PROVIDER_NOT_FOUND"


def test_a_credential_missing_a_required_field_is_400_naming_it(api, providers):
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "twilio", {"secret": TWILIO_TOKEN})
    assert reply.status == 400
    assert reply.body["field"] == "primary_id"


def test_a_body_without_secret_is_400(api, providers):
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "anthropic", {"primary_id": "x"})
    assert reply.status == 400
    assert reply.body["field"] == "secret"


@pytest.mark.parametrize(("provider", "body"), [
    ("anthropic", {"secret": "sk-proj-an-openai-key-pasted-here-7788"}),
    ("twilio", {"primary_id": TWILIO_SID, "secret": "not-a-hex-auth-token-7788"}),
])
def test_a_secret_its_format_check_rejects_is_saved_unvalidated_with_the_reason(api, providers, provider, body):
    account = sign_up_and_log_in(api)
    # When the tenant saves a well-formed body whose secret is not in the provider's format
    reply = _put(api, account, provider, body)
    # Then it is answered as the reference shows: saved, not validated, with the reason — and never sent out
    assert reply.status == 200, reply.body
    assert (reply.body["saved"], reply.body["validated"]) == (True, False)
    assert "format" in reply.body["error"] and body["secret"] not in reply.raw.decode()
    assert reply.body["credential"]["secret_last4"] == "7788"
    assert providers.probes == []
    state = api.get("/onboarding/status", token=account.token).body["providers"][provider]
    assert (state["saved"], state["validated"], state["error"]) == (True, False, reply.body["error"])
    # and the secret is stored sealed, not in the clear
    assert body["secret"] not in json.dumps(_raw_items(account.tenant_id), default=str)


@pytest.mark.parametrize("secret", ["", "   "])
def test_an_empty_secret_is_400(api, providers, secret):
    account = sign_up_and_log_in(api)
    reply = _put(api, account, "anthropic", {"secret": secret})
    assert (reply.status, reply.body.get("field")) == (400, "secret"), reply.body


def test_saving_again_replaces_the_credential(api, providers):
    account = sign_up_and_log_in(api)
    _put(api, account, "anthropic", {"secret": "sk-ant-api03-old-key-0000"})
    reply = _put(api, account, "anthropic", {"secret": ANTHROPIC_KEY})
    assert reply.body["validated"] is True
    status = api.get("/onboarding/status", token=account.token).body
    assert status["providers"]["anthropic"]["validated"] is True
    assert len([item for item in _raw_items(account.tenant_id) if item["type"]["S"] == "ProviderCredential"]) == 1


def test_a_read_scope_key_cannot_save_a_credential(api, providers):
    from tests.integration.conftest import mint_key

    account = sign_up_and_log_in(api)
    key = mint_key(api, account, scope="read")
    reply = api.request("PUT", "/onboarding/credentials/anthropic", json_body={"secret": ANTHROPIC_KEY},
                        token=key["secret"])
    assert reply.status == 403
