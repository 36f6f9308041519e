"""Envelope encryption: a secret opens only for its own tenant, and any tampering is detected.

Both wrappers are proven: moto's KMS (one key for this module: creating one costs ~200 ms) and the local
master key.
"""

from __future__ import annotations

import base64
import dataclasses
import os

import pytest

from shared.platform import crypto
from shared.platform.aws import client, reset_clients
from shared.platform.errors import Unavailable
from shared.platform.settings import reset_settings

SECRET = b"sk-ant-api03-the-tenants-own-key"
LOCAL_MEK = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(scope="module")
def kms_key_id():
    from moto import mock_aws

    patch = pytest.MonkeyPatch()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        patch.setenv(name, value)
    patch.delenv("AWS_ENDPOINT_URL", raising=False)
    reset_settings()
    reset_clients()
    with mock_aws():
        yield client("kms").create_key(Description="credentials")["KeyMetadata"]["Arn"]
    reset_clients()
    patch.undo()


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    crypto.clear_key_cache()
    yield
    crypto.clear_key_cache()


@pytest.fixture
def with_kms(kms_key_id, monkeypatch):
    monkeypatch.setenv("CREDENTIALS_KMS_KEY_ID", kms_key_id)
    monkeypatch.delenv("CALLFUNNEL_LOCAL_MEK", raising=False)
    reset_settings()


@pytest.fixture
def with_local_mek(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", LOCAL_MEK)
    reset_settings()


@pytest.fixture(params=["kms", "local_mek"])
def wrapper(request):
    """Each proof runs once under KMS and once under the local master key."""
    request.getfixturevalue("with_kms" if request.param == "kms" else "with_local_mek")
    return request.param


def _flip_first_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def test_a_sealed_secret_opens_for_its_own_tenant(wrapper):
    # Given a secret sealed for tenant 7
    envelope = crypto.encrypt(7, SECRET)
    # Then it is not stored in the clear, and tenant 7 gets it back
    assert SECRET not in envelope.ciphertext
    assert crypto.decrypt(7, envelope) == SECRET


def test_decrypting_under_another_tenants_context_fails(wrapper):
    # Given a secret sealed for tenant 7
    envelope = crypto.encrypt(7, SECRET)
    # When tenant 8 tries to open it, Then the unwrap (KMS context / MEK AAD) refuses
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(8, envelope)


def test_another_tenant_fails_even_when_the_data_key_is_cached_for_the_owner(wrapper):
    # Given tenant 7 has just opened its secret (its data key is cached)
    envelope = crypto.encrypt(7, SECRET)
    crypto.decrypt(7, envelope)
    # When tenant 8 presents the same envelope, Then it still fails
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(8, envelope)


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "wrapped_key"])
def test_a_tampered_envelope_fails(wrapper, part):
    # Given a sealed secret with one bit flipped in one of its parts
    envelope = crypto.encrypt(7, SECRET)
    tampered = dataclasses.replace(envelope, **{part: _flip_first_byte(getattr(envelope, part))})
    # When it is opened, Then decryption fails instead of returning altered bytes
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(7, tampered)


def test_each_seal_uses_a_fresh_nonce_and_data_key(wrapper):
    # When the same secret is sealed twice
    first, second = crypto.encrypt(7, SECRET), crypto.encrypt(7, SECRET)
    # Then nothing repeats
    assert first.nonce != second.nonce
    assert first.wrapped_key != second.wrapped_key
    assert first.ciphertext != second.ciphertext


def test_kms_envelopes_record_the_kms_key_and_algorithm(with_kms, kms_key_id):
    envelope = crypto.encrypt(7, SECRET)
    assert envelope.key_id == kms_key_id
    assert envelope.algorithm == crypto.KMS_ALGORITHM
    assert len(envelope.nonce) == 12


def test_kms_data_keys_are_cached_so_a_second_read_costs_no_kms_call(with_kms, monkeypatch):
    # Given a secret opened once
    envelope = crypto.encrypt(7, SECRET)
    crypto.decrypt(7, envelope)
    # When KMS becomes unreachable
    def refuse(**_):
        raise AssertionError("KMS called despite a cached data key")
    monkeypatch.setattr(client("kms"), "decrypt", refuse)
    # Then the secret still opens from the cached data key
    assert crypto.decrypt(7, envelope) == SECRET


def test_a_secret_sealed_under_another_master_key_fails(with_local_mek, monkeypatch):
    # Given a secret sealed under one MEK
    envelope = crypto.encrypt(7, SECRET)
    # When the MEK is replaced
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", base64.b64encode(os.urandom(32)).decode())
    reset_settings()
    # Then the old envelope no longer opens
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(7, envelope)


def test_without_kms_key_or_master_key_encryption_is_unavailable(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    monkeypatch.delenv("CALLFUNNEL_LOCAL_MEK", raising=False)
    reset_settings()
    with pytest.raises(Unavailable) as raised:
        crypto.encrypt(7, SECRET)
    assert raised.value.code == "ENCRYPTION_UNAVAILABLE"
    assert raised.value.status == 503


@pytest.mark.parametrize("bad_mek", ["not base64!!", base64.b64encode(b"too short").decode()])
def test_a_malformed_master_key_is_unavailable_not_a_crash(monkeypatch, bad_mek):
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", bad_mek)
    reset_settings()
    with pytest.raises(Unavailable):
        crypto.encrypt(7, SECRET)
