"""Integration tests: the catalog's handlers in-process on moto, driven by API Gateway v2 events.

The moto mock and the SES identity are made once per session; each test gets its own table (a
fresh name, so no state leaks between tests) and a client that routes through the same API Gateway
adapter and Lambda runtime as `make run`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from infra_local.aws import start_moto
from infra_local.http_adapter import HttpRequest, build_event, map_result, match_route
from infra_local.lambda_runtime import LocalLambdaRuntime
from shared.auth import tokens
from shared.platform import clock
from shared.platform.aws import client, reset_clients
from shared.platform.settings import get_settings, reset_settings
from shared.platform.storage.table import create_table
from tests.environment import environment
from tests.integration.dialer_fixtures import CALLABLE_MOMENT

ACCOUNT_ID = "123456789012"
SENDER = "no-reply@callfunnel.test"
TEST_ENVIRONMENT = {
    "CALLFUNNEL_ENVIRONMENT": "local",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "JWT_SECRET": "integration-test-secret-long-enough-for-hs256",
    "TABLE_NAME": "callfunnel-integration",
    "EMAIL_SENDER": SENDER,
    "PUBLIC_BASE_URL": "http://testserver",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    # Every test signs its accounts up from one address; the abuse limits' own tests lower it again.
    "SIGNUPS_PER_IP": "1000",
    # A sandbox carrier is configured, as on the laptop (its webhooks are authentic only then); the dialer tests
    # stand in for it by patching place_call, so this discard port is never reached.
    "SANDBOX_CARRIER_URL": "http://127.0.0.1:9",
    # Where the voice webhook streams answered calls (the voice plane's own tests run it; none listens here).
    "VOICE_PLANE_URL": "ws://127.0.0.1:8765",
}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw) if self.raw else None


class LocalApi:
    """Sends requests through the API Gateway adapter to the catalog's functions, in-process."""

    def __init__(self) -> None:
        self._runtime = LocalLambdaRuntime(region="us-east-1", account_id=ACCOUNT_ID)

    def request(self, method: str, path: str, *, json_body: Any = None, raw_body: bytes | None = None,
                token: str | None = None, cookie: str | None = None, query: str = "",
                headers: dict[str, str] | None = None, source_ip: str = "203.0.113.7") -> Reply:
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        if cookie:
            all_headers["cookie"] = cookie
        body = raw_body if raw_body is not None else (json.dumps(json_body).encode() if json_body is not None else b"")
        request = HttpRequest(method=method, path=path, query_string=query, headers=list(all_headers.items()),
                              body=body, source_ip=source_ip)
        match = match_route(method, path)
        response = map_result(self._runtime.invoke(match.function, build_event(request, match, account_id=ACCOUNT_ID)))
        headers_out = {name.lower(): value for name, value in response.headers if name.lower() != "set-cookie"}
        cookies = [value for name, value in response.headers if name.lower() == "set-cookie"]
        return Reply(response.status, headers_out, cookies, response.body)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture(scope="session")
def aws():
    with environment(TEST_ENVIRONMENT):
        reset_clients()
        mock = start_moto()
        client("ses").verify_email_identity(EmailAddress=SENDER)
        create_table()
        yield
        mock.stop()
    reset_clients()


@pytest.fixture
def api(aws) -> LocalApi:
    """An empty table for this test, and a client for the API."""
    from shared.platform import rate_limits

    _empty_the_table()
    rate_limits.forget_cached_buckets()  # tenant ids repeat once the table is empty: no lease outlives its bucket
    yield LocalApi()
    clock.freeze(None)
    reset_settings()
    tokens.reset_signing_key()


def _empty_the_table() -> None:
    # Emptying beats a table per test: pynamodb's connections (a botocore client each) stay warm.
    dynamodb, table = client("dynamodb"), get_settings().table_name
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression="PK, SK"):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=table, Key=item)


def sent_emails() -> list[Any]:
    from moto.ses.models import ses_backends

    return list(ses_backends[ACCOUNT_ID]["us-east-1"].sent_messages)


@dataclass
class Account:
    email: str
    password: str
    token: str
    tenant_id: int
    user_id: str


def sign_up_and_log_in(api: LocalApi, *, country: str | None = "US", email: str | None = None) -> Account:
    email = email or f"owner-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"
    signup = {"email": email, "password": password, "full_name": "Test Owner"}
    if country:
        signup["country"] = country
    created = api.post("/auth/signup", signup)
    assert created.status == 201, created.body
    login = api.post("/auth/login", {"email": email, "password": password})
    assert login.status == 200, login.body
    return Account(email, password, login.body["token"], created.body["tenant"]["id"], created.body["user"]["id"])


def mint_key(api: LocalApi, account: Account, **fields: Any) -> dict[str, Any]:
    minted = api.post("/api-keys", {"name": "ci robot", **fields}, token=account.token)
    assert minted.status == 201, minted.body
    return minted.body


@pytest.fixture
def settings(monkeypatch):
    """Set some settings for one test through their environment variables: `settings(NAME="value")`."""

    def configure(**environment: str) -> None:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        reset_settings()

    yield configure
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def bucket(api):
    """The media bucket, created if need be and emptied: stored audio must not leak between tests."""
    s3, name = client("s3"), get_settings().media_bucket
    s3.create_bucket(Bucket=name)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=item["Key"])
    return name


@pytest.fixture
def callable_time(api):
    """The stack's clock at a moment inside the dialer tests' calling windows (`CALLABLE_MOMENT`)."""
    clock.freeze(CALLABLE_MOMENT)
    yield
    clock.freeze(None)
