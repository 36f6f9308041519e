"""Key builders for the single table: the only place key strings are spelled out."""

from __future__ import annotations

from datetime import datetime

PROFILE = "PROFILE"
WALLET = "WALLET"
TENANT_COUNTER_PK = "COUNTER#tenant"
COUNTER = "COUNTER"
EMAIL = "EMAIL"
VERIFY = "VERIFY"
APIKEY = "APIKEY"
USER_PREFIX = "USER#"
APIKEY_PREFIX = "APIKEY#"
LEDGER_PREFIX = "LEDGER#"


def tenant_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}"


def user_sk(user_id: str) -> str:
    return f"{USER_PREFIX}{user_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


def verify_token_pk(token_hash: str) -> str:
    return f"VERIFY#{token_hash}"


def login_failures_pk(email: str) -> str:
    return f"LOGINFAIL#{email.strip().lower()}"


def login_failures_sk(window_start: int) -> str:
    return f"WINDOW#{window_start}"


def api_key_pk(secret_hash: str) -> str:
    return f"APIKEY#{secret_hash}"


def api_key_listing_sk(key_id: str) -> str:
    return f"{APIKEY_PREFIX}{key_id}"


def ledger_sk(at: datetime, entry_id: str) -> str:
    return f"{LEDGER_PREFIX}{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{entry_id}"
