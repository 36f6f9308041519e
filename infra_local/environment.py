"""The process environment of the laptop stack, set before any project code reads its settings."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

DEFAULT_PORT = 8000
HOST = "127.0.0.1"
LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account


@dataclass(frozen=True)
class LocalEnvironment:
    host: str
    port: int
    region: str
    account_id: str

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def prepare_environment() -> LocalEnvironment:
    """Fill in what the functions' settings need; values already in the environment win."""
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    defaults = {
        "CALLFUNNEL_ENVIRONMENT": "local",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "MOTO_ACCOUNT_ID": LOCAL_ACCOUNT_ID,
        "TABLE_NAME": "callfunnel-local",
        "MEDIA_BUCKET": "callfunnel-media-local",
        "EMAIL_SENDER": "no-reply@callfunnel.local",
        # Business metrics are CloudWatch EMF lines: noise on a laptop console.
        "POWERTOOLS_METRICS_DISABLED": "true",
        # Random per process: tokens die with the in-memory data they refer to.
        "JWT_SECRET": secrets.token_urlsafe(32),
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
    # Links in emails and webhook URLs must point at this very server.
    os.environ["PUBLIC_BASE_URL"] = f"http://{HOST}:{port}"
    # moto in-process only intercepts AWS endpoints; a redirect or a profile would reach elsewhere.
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    return LocalEnvironment(HOST, port, os.environ["AWS_REGION"], os.environ["MOTO_ACCOUNT_ID"])
