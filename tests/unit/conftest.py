import pytest

from shared.auth import tokens
from shared.platform import clock
from shared.platform.settings import reset_settings


@pytest.fixture(autouse=True)
def unit_settings(monkeypatch):
    """Pure tests: a known JWT secret, a running clock, fresh cached settings."""
    monkeypatch.setenv("JWT_SECRET", "unit-test-secret-that-is-long-enough-for-hs256")
    monkeypatch.setenv("CALLFUNNEL_ENVIRONMENT", "local")
    reset_settings()
    tokens.reset_signing_key()
    yield
    clock.freeze(None)
    reset_settings()
    tokens.reset_signing_key()
