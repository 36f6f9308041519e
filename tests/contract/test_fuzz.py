"""Schemathesis against the local stack, over every operation of the served /openapi.json.

Each catalog route is one test: `MAX_EXAMPLES_PER_OPERATION` requests drawn from the operation's schema and
its documented examples, sent as a logged-in user. No answer may be a 5xx, and every answer whose status the
document lists must match that status's schema. Each request is then sent again without credentials: an
operation the document marks as secured must answer 401.

The tenant's rate limit is honoured (a 429 on a secured operation is retried after `Retry-After`), and three
accounts share the operations, so the run stays well under two minutes. Schemathesis' pytest loader is not
used: it does not support pytest 9 (`Function._nodeid`), so the operations are parametrised from the catalog.

Exclusions (of a credential, never of an operation): POST /auth/logout is fuzzed without the account's
token — it revokes the token it is called with, which would end the session for the operations after it.
POST /auth/login is fuzzed with fewer examples: its per-address limit is shared with every test that logs in.
Signed webhooks (payments, Slack, carriers) are fuzzed like the rest: unsigned, they answer 400/401/403.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from functions.catalog import FUNCTIONS
from functions.openapi.document import documented_path
from tests.contract.helpers import Account, new_session, sign_up_and_log_in

MAX_EXAMPLES_PER_OPERATION = 10
FEWER_EXAMPLES = {"POST /auth/login": 3}
ACCOUNTS = 3
MAX_RATE_LIMIT_RETRIES = 5
#: The document describes the API; it does not list itself or the page that renders it.
SELF_DESCRIBING_ROUTES = {"GET /openapi.json", "GET /docs"}
#: Operations whose call would spend the credential it is sent with.
CREDENTIAL_CONSUMING = {"POST /auth/logout"}
CHECKS = [not_a_server_error, response_schema_conformance]


def fuzzed_routes() -> list[str]:
    """Every catalog route the document describes."""
    keys = [f"{route.method} {route.path}" for function in FUNCTIONS for route in function.routes]
    return [key for key in keys if key not in SELF_DESCRIBING_ROUTES]


@pytest.fixture(scope="session")
def fuzz_schema(base_url: str):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


@pytest.fixture(scope="session")
def fuzz_accounts(base_url: str) -> list[Account]:
    with new_session() as session:
        return [sign_up_and_log_in(session, base_url) for _ in range(ACCOUNTS)]


@pytest.mark.parametrize("route_key", fuzzed_routes())
def test_no_operation_fails_or_breaks_its_schema_and_secured_ones_need_credentials(route_key, fuzz_schema, base_url,
                                                                                   fuzz_accounts):
    method, path = route_key.split(" ", 1)
    operation = fuzz_schema[documented_path(path)][method]
    secured = bool(operation.definition.raw.get("security"))
    account = fuzz_accounts[fuzzed_routes().index(route_key) % ACCOUNTS]
    credentials = {} if route_key in CREDENTIAL_CONSUMING else {"Authorization": f"Bearer {account.token}"}
    cases = st.one_of(operation.as_strategy(), *fuzz_schema.get_strategies_from_examples(operation))

    @settings(max_examples=FEWER_EXAMPLES.get(route_key, MAX_EXAMPLES_PER_OPERATION), deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def fuzz(case) -> None:
        case.headers = _without_credentials(case.headers)
        response = _call(case, base_url, credentials, retry_rate_limited=secured)
        case.validate_response(response, checks=CHECKS, headers=credentials)
        if secured:
            anonymous = _call(case, base_url, {}, retry_rate_limited=False)
            assert anonymous.status_code == 401, (
                f"{route_key} is secured in the document but answered {anonymous.status_code} without "
                f"credentials: {anonymous.text[:300]}")

    fuzz()


def _call(case, base_url: str, headers: dict[str, str], *, retry_rate_limited: bool):
    """Send the case in a cookie-less session (a stray cookie would authenticate it), waiting out 429s."""
    with new_session() as session:
        for _ in range(MAX_RATE_LIMIT_RETRIES):
            response = case.call(base_url=base_url, session=session, headers=headers)
            if response.status_code != 429 or not retry_rate_limited:
                return response
            time.sleep(min(float(response.headers.get("Retry-After") or 1), 5.0))
        return response


def _without_credentials(headers: dict[str, str] | None) -> dict[str, str]:
    return {name: value for name, value in (headers or {}).items()
            if name.lower() not in {"authorization", "cookie"}}
