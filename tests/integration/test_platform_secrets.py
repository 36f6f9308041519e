"""Secrets named by ARN (JWT_SECRET_ARN in the cloud) are read from Secrets Manager through the platform."""

from __future__ import annotations

import hashlib
import hmac
import uuid

import pytest

from shared.auth import tokens
from shared.platform.aws import client
from shared.platform.pseudonyms import contact_hash, reset_pepper
from shared.platform.secrets import secret_string
from shared.platform.settings import reset_settings


@pytest.fixture
def jwt_secret_in_secrets_manager(aws, monkeypatch) -> tuple[str, str]:
    """JWT_SECRET_ARN names a secret in (moto's) Secrets Manager; no JWT_SECRET, no DSR_PEPPER."""
    value = f"secret-from-secrets-manager-{uuid.uuid4().hex}"
    arn = client("secretsmanager").create_secret(Name=f"jwt-{uuid.uuid4().hex}", SecretString=value)["ARN"]
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("DSR_PEPPER", raising=False)
    monkeypatch.setenv("JWT_SECRET_ARN", arn)
    reset_settings()
    tokens.reset_signing_key()
    reset_pepper()
    yield arn, value
    monkeypatch.undo()
    reset_settings()
    tokens.reset_signing_key()
    reset_pepper()


def test_a_secret_is_read_by_its_arn(jwt_secret_in_secrets_manager):
    arn, value = jwt_secret_in_secrets_manager

    assert secret_string(arn) == value


def test_the_jwt_signing_key_comes_from_the_secret_its_arn_names(jwt_secret_in_secrets_manager):
    _, value = jwt_secret_in_secrets_manager

    assert tokens._signing_key() == value


def test_the_dsr_pepper_falls_back_to_that_secret(jwt_secret_in_secrets_manager):
    _, value = jwt_secret_in_secrets_manager
    expected = hmac.new(value.encode(), b"callfunnel-dsr-v1|phone|+14155550123",
                        hashlib.sha256).hexdigest()

    assert contact_hash("phone", "+14155550123") == expected
