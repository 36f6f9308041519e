"""Small helpers for the contract tests: accounts, keys and the contract's error shape, over plain HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

PASSWORD = "correct horse battery staple"
TIMEOUT_SECONDS = 30
JSON_CONTENT = {"Content-Type": "application/json"}

#: Bodies a careless or hostile client might send; none of them may get a 500.
MALFORMED_BODIES: dict[str, bytes] = {
    "a JSON array instead of an object": b"[]",
    "a JSON string instead of an object": b'"hello"',
    "wrong types": b'{"email": 123, "password": ["not", "a", "string"], "name": {"a": 1}}',
    "non-UTF-8 bytes": b'{"email": "\xff\xfe@example.com", "name": "\xff"}',
    "an empty body": b"",
    "truncated JSON": b'{"email": "a@example.com", ',
    "deeply nested arrays": b"[" * 10_000 + b"]" * 10_000,
    "an integer of 5000 digits": b'{"email": "a@example.com", "password": ' + b"9" * 5000 + b', "name": "a"}',
}


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    token: str
    tenant_id: int
    user_id: str
    #: The login's cf_csrf cookie: what a browser page echoes in X-CSRF-Token beside the cf_session cookie.
    csrf_token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)

    def browser(self, origin: str) -> dict[str, str]:
        """Headers of a write from our own page at `origin`, authenticated by the session cookie alone (sent as a
        header: the stack is plain HTTP, so requests would withhold the Secure cookies)."""
        return {"Cookie": f"cf_session={self.token}; cf_csrf={self.csrf_token}", "Origin": origin,
                "X-CSRF-Token": self.csrf_token}


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.com"


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


class _SessionWithTimeout(requests.Session):
    """A hung request fails its test instead of hanging the run."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def new_session() -> requests.Session:
    """A Session with an empty cookie jar, for tests where cookies matter."""
    return _SessionWithTimeout()


class _FromAddress(requests.adapters.HTTPAdapter):
    def __init__(self, source_ip: str) -> None:
        self._source_address = (source_ip, 0)  # before super().__init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, source_address=self._source_address, **kwargs)


def session_from(source_ip: str) -> requests.Session:
    """A fresh Session whose connections leave from this loopback address (127.x.y.z): the stack sees another
    client IP, so per-IP limits can be driven without touching the rest of the suite's 127.0.0.1."""
    session = _SessionWithTimeout()
    session.mount("http://", _FromAddress(source_ip))
    return session


def sign_up(http: requests.Session, base_url: str, *, email: str | None = None, country: str | None = None,
            **extra: Any) -> requests.Response:
    body: dict[str, Any] = {"email": email or unique_email(), "password": PASSWORD, **extra}
    if country is not None:
        body["country"] = country
    return http.post(f"{base_url}/auth/signup", json=body)


def log_in(base_url: str, email: str, password: str = PASSWORD) -> requests.Response:
    # A throwaway session, so the login's cookie never lands in the shared `http` session.
    with new_session() as session:
        return session.post(f"{base_url}/auth/login", json={"email": email, "password": password})


def sign_up_and_log_in(http: requests.Session, base_url: str, *, country: str | None = None) -> Account:
    email = unique_email()
    signup = sign_up(http, base_url, email=email, country=country)
    assert signup.status_code == 201, signup.text
    login = log_in(base_url, email)
    assert login.status_code == 200, login.text
    body = login.json()
    return Account(email=email, password=PASSWORD, token=body["token"], tenant_id=body["tenant"]["id"],
                   user_id=body["user"]["id"], csrf_token=login.cookies.get("cf_csrf", ""))


def mint_key(http: requests.Session, base_url: str, account: Account, **body: Any) -> dict[str, Any]:
    response = http.post(f"{base_url}/api-keys", headers=account.auth, json={"name": "contract test", **body})
    assert response.status_code == 201, response.text
    return response.json()


def revoke_key(http: requests.Session, base_url: str, account: Account, key_id: str,
               **body: Any) -> requests.Response:
    return http.post(f"{base_url}/api-keys/{key_id}/revoke", headers=account.auth, json=body)


def list_keys(http: requests.Session, base_url: str, account: Account) -> list[dict[str, Any]]:
    response = http.get(f"{base_url}/api-keys", headers=account.auth)
    assert response.status_code == 200, response.text
    return response.json()["keys"]


def verification_link(http: requests.Session, base_url: str, email: str) -> str:
    """The verify link of the newest email the sandbox outbox holds for this address."""
    mails = [mail for mail in http.get(f"{base_url}/_sandbox/outbox").json() if email.lower() in mail["to"]]
    assert mails, f"no email to {email} in the outbox"
    links = [link for link in mails[-1]["links"] if "/#/verify-email?" in link]
    assert links, f"no verify link in {mails[-1]['body']!r}"
    return links[0]


def token_of(link: str) -> str:
    """The token of a verify link: the console's page carries it in the fragment (`/#/verify-email?token=…`)."""
    return parse_qs(urlsplit(link).fragment.partition("?")[2])["token"][0]


def verify_email(http: requests.Session, base_url: str, email: str) -> requests.Response:
    """What the console's verify page does with the emailed link: the API's own endpoint, with its token."""
    token = token_of(verification_link(http, base_url, email))
    return http.get(f"{base_url}/auth/verify-email", params={"token": token})


def assert_error(response: requests.Response, status: int, code: str | None = None,
                 field: str | None = None) -> dict[str, Any]:
    """The contract's error format: JSON with `error` and `code`, and `field` when one field is at fault."""
    assert response.status_code == status, f"{response.status_code} {response.text[:500]}"
    body = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("code"), str) and body["code"], body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


def assert_client_error(response: requests.Response) -> None:
    """Any 4xx with the contract's error body: never a 500, never an HTML page."""
    assert 400 <= response.status_code < 500, f"{response.status_code} {response.text[:500]}"
    assert_error(response, response.status_code)


#: How long a sandbox campaign may take to run to its end: the calls speak in real time (~30 s each) and the suite
#: runs on two shared cores, so a campaign that takes ~70 s alone may take twice that under load.
RUN_DEADLINE_SECONDS = 300


def run_to_the_end(http: requests.Session, base_url: str, account: Account, workflow_id: str, *,
                   approve: tuple[str, ...] = ("concession",), note: str = "fine for a rehearsal") -> dict[str, Any]:
    """Poll the workflow's newest run until it is no longer running; approve each pending approval of the
    `approve` kinds on the way, as a human watching Slack would (a callee holds for a concession)."""
    import time

    import pytest

    deadline = time.monotonic() + RUN_DEADLINE_SECONDS
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        pending = http.get(f"{base_url}/api/approvals", params={"status": "pending"}, headers=account.auth)
        for approval in [item for item in pending.json()["approvals"] if item["proposed_action"] in approve]:
            decided = http.post(f"{base_url}/api/approvals/{approval['id']}/decide",
                                json={"decision": "approve", "note": note}, headers=account.auth)
            assert decided.status_code == 200, decided.text
        run = http.get(f"{base_url}/api/workflows/{workflow_id}/runs", headers=account.auth).json()["runs"][0]
        if run["status"] != "running":
            return run
        time.sleep(0.5)
    pytest.fail(f"the run did not finish within {RUN_DEADLINE_SECONDS} s: {run}")
