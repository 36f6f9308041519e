"""`resolve_credential`: BYOK when byok mode and validated, bundled otherwise, None (sandbox) when neither.

Also proves the whole path under moto's KMS (one key for this module: creating one costs ~200 ms).
"""

from __future__ import annotations

import base64
import os

import pytest

from shared.onboarding.credentials import resolve_credential
from shared.platform import crypto
from shared.platform.settings import reset_settings
from tests.fakes.provider_validation import FakeProviderApis
from tests.integration.conftest import sign_up_and_log_in

TENANT_KEY = "sk-ant-api03-tenant-key-7777"
BUNDLED_KEY = "sk-ant-api03-platform-key-0000"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "0123456789abcdef" * 2


@pytest.fixture(scope="module")
def kms_key_arn(aws):
    from shared.platform.aws import client

    return client("kms").create_key(Description="credentials (tests)")["KeyMetadata"]["Arn"]


@pytest.fixture
def providers(api, monkeypatch):
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", base64.b64encode(os.urandom(32)).decode())
    for name in ("CREDENTIALS_KMS_KEY_ID", "ANTHROPIC_API_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    crypto.clear_key_cache()
    with FakeProviderApis() as fake:
        fake.point_validation_here(monkeypatch)
        fake.accepted_secrets.update({TENANT_KEY, TWILIO_TOKEN})
        yield fake
    reset_settings()


def _put(api, account, provider, body):
    reply = api.request("PUT", f"/onboarding/credentials/{provider}", json_body=body, token=account.token)
    assert reply.status == 200, reply.body
    return reply.body


def _byok(api, account):
    assert api.request("PUT", "/onboarding/mode", json_body={"mode": "byok"}, token=account.token).status == 200


def _bundled_anthropic_key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", BUNDLED_KEY)
    reset_settings()


def test_a_byok_tenant_with_a_validated_key_resolves_to_its_own_secret(api, providers):
    account = sign_up_and_log_in(api)
    _byok(api, account)
    _put(api, account, "anthropic", {"secret": TENANT_KEY})
    credential = resolve_credential(account.tenant_id, "anthropic")
    assert (credential.source, credential.secret) == ("byok", TENANT_KEY)
    assert TENANT_KEY not in repr(credential)


def test_a_byok_twilio_credential_resolves_with_its_fields(api, providers):
    account = sign_up_and_log_in(api)
    _byok(api, account)
    _put(api, account, "twilio", {"primary_id": TWILIO_SID, "secret": TWILIO_TOKEN})
    credential = resolve_credential(account.tenant_id, "twilio")
    assert credential.fields == {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN}


def test_a_bundled_tenant_resolves_to_the_platform_key_even_with_a_saved_one(api, providers, monkeypatch):
    _bundled_anthropic_key(monkeypatch)
    account = sign_up_and_log_in(api)
    _put(api, account, "anthropic", {"secret": TENANT_KEY})  # saved, but dormant in bundled mode
    credential = resolve_credential(account.tenant_id, "anthropic")
    assert (credential.source, credential.secret) == ("bundled", BUNDLED_KEY)


def test_a_byok_key_the_provider_refused_falls_back_to_the_platform_key(api, providers, monkeypatch):
    _bundled_anthropic_key(monkeypatch)
    account = sign_up_and_log_in(api)
    _byok(api, account)
    assert _put(api, account, "anthropic", {"secret": "sk-ant-api03-refused"})["validated"] is False
    assert resolve_credential(account.tenant_id, "anthropic").source == "bundled"


def test_nothing_configured_resolves_to_none_so_the_sandbox_runs(api, providers):
    account = sign_up_and_log_in(api)
    _byok(api, account)
    assert resolve_credential(account.tenant_id, "cartesia") is None


def test_another_tenant_never_resolves_to_a_tenants_byok_key(api, providers):
    owner, other = sign_up_and_log_in(api), sign_up_and_log_in(api)
    for account in (owner, other):
        _byok(api, account)
    _put(api, owner, "anthropic", {"secret": TENANT_KEY})
    assert resolve_credential(other.tenant_id, "anthropic") is None


def test_under_kms_a_saved_key_is_sealed_by_kms_and_resolves(api, providers, kms_key_arn, monkeypatch):
    # Given the cloud configuration: a KMS key and no local master key
    monkeypatch.setenv("CREDENTIALS_KMS_KEY_ID", kms_key_arn)
    monkeypatch.delenv("CALLFUNNEL_LOCAL_MEK")
    reset_settings()
    account = sign_up_and_log_in(api)
    _byok(api, account)
    # When a key is saved
    _put(api, account, "anthropic", {"secret": TENANT_KEY})
    # Then it was sealed under KMS for this tenant and resolves back
    from shared.onboarding import repository

    _, (_, envelope) = repository.mode_and_sealed_secret(account.tenant_id, "anthropic")
    assert (envelope.algorithm, envelope.key_id) == (crypto.KMS_ALGORITHM, kms_key_arn)
    crypto.clear_key_cache()
    assert resolve_credential(account.tenant_id, "anthropic").secret == TENANT_KEY
    # And the same envelope does not open for another tenant
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(account.tenant_id + 1, envelope)
