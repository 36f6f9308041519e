"""Schemathesis against the local stack, over every operation of the served /openapi.json.

Each catalog route is one test: `MAX_EXAMPLES_PER_OPERATION` requests drawn from the operation's schema and
its documented examples, sent as a logged-in user. No answer may be a 5xx; every status must be one the
document lists (status-code conformance) and match that status's schema; and a request the document allows
must not be refused for its shape (positive-data acceptance: 400/415 only with a code in `REFUSED_FOR_MEANING`,
a refusal the schema cannot express). Each request is then sent again without credentials: an operation the
document marks as secured must answer 401.

Then the hostile classes a schema does not generate: CSV cells over the csv module's field limit, the
calendar's extreme dates in report ranges, and percent-encoded numbers (and encoded `/`, `%`, NUL) in paths.

The tenant's rate limit is honoured (a 429 on a secured operation is retried after `Retry-After`), and three
accounts share the operations, so the run stays well under two minutes. Schemathesis' pytest loader is not
used: it does not support pytest 9 (`Function._nodeid`), so the operations are parametrised from the catalog.

Exclusions (of a credential, never of an operation): POST /auth/logout is fuzzed without the account's
token — it revokes the token it is called with, which would end the session for the operations after it.
POST /auth/login is fuzzed with fewer examples: its per-address limit is shared with every test that logs in.
Signed webhooks (payments, Slack, carriers) are fuzzed like the rest: unsigned, they answer 400/401/403.
"""

from __future__ import annotations

import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

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
#: Answers to well-formed data about money (402) or meaning (422: a rejected rule book, a reused
#: Idempotency-Key), on top of schemathesis' defaults.
POSITIVE_DATA_ANSWERS = [*PositiveDataAcceptanceConfig().expected_statuses, "402", "422"]
#: 400s that refuse what a well-formed value means, which no schema can state. Never VALIDATION_ERROR:
#: that is a shape the document should have stated.
REFUSED_FOR_MEANING = {
    "INVALID_PHONE_NUMBER": "E.164-shaped but not a number any carrier dials (phonenumbers' metadata)",
    "INVALID_CONTACT_IDENTIFIER": "neither a phone number in any of its common spellings nor an email address "
                                  "(a one-of of free-form spellings no pattern states)",
    "INVALID_TOKEN": "a well-formed email-verification token that was never issued",
    "INVALID_CURSOR": "a well-formed cursor that is not one the server issued",
    "SLACK_OAUTH_STATE_INVALID": "a well-formed OAuth state this user never started (or a newer one replaced)",
    "SLACK_OAUTH_CODE_MISSING": "Slack's redirect carries a code or an error (a one-of across query parameters)",
    "IDENTIFIER_REQUIRED": "one of several optional identifiers is required (OpenAPI has no one-of across "
                           "query parameters or optional fields)",
    "AMBIGUOUS_IDENTIFIER": "several of those optional identifiers given at once (the same missing one-of)",
    "NO_PHONE_COLUMN": "a CSV file without a phone column", "EMPTY_UPLOAD": "a CSV file without rows",
    "NUMBER_NOT_AVAILABLE": "a well-formed number the carrier does not sell",
    "WEBHOOK_URL_NOT_ALLOWED": "a well-formed URL whose host resolves to an address the SSRF rules refuse (private, "
                               "loopback outside the sandbox, metadata) or plain http: what DNS answers, no pattern",
    "WEBHOOK_URL_UNRESOLVABLE": "a well-formed URL whose host has no address in DNS",
    "WEBHOOK_URL_INVALID": "a URL-shaped string urllib cannot split into scheme, host and port (a bad port, "
                           "credentials or a fragment) — a grammar no pattern states whole",
}
#: Refusals relative to another field, to now or to the workspace's state: `from` after `to`, a report range
#: over the limit, a key's expiry in the past or given twice, the cap of active keys reached.
RELATIVE_REFUSALS = ("from must be on or before to", "The range may span at most", "expires_at must be in the future",
                     "Give expires_in_days or expires_at, not both", "This workspace already has")


def positive_data_accepted_unless_refused_for_meaning(ctx, response, case):
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        content_type = " ".join(response.headers.get("content-type", []))
        body = response.json() if "json" in content_type else {}
        code, message = body.get("code"), str(body.get("error", ""))
        if response.status_code == 400 and (code in REFUSED_FOR_MEANING or message.startswith(RELATIVE_REFUSALS)):
            return None
        raise


CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          positive_data_accepted_unless_refused_for_meaning]


def fuzzed_routes() -> list[str]:
    """Every catalog route the document describes."""
    keys = [f"{route.method} {route.path}" for function in FUNCTIONS for route in function.routes]
    return [key for key in keys if key not in SELF_DESCRIBING_ROUTES]


@pytest.fixture(scope="session")
def fuzz_schema(base_url: str):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=POSITIVE_DATA_ANSWERS)
    return schema


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


# --- Hostile classes a schema does not generate ---

#: Over the csv module's default field limit (131,072 characters).
HUGE_CELL = "x" * 200_000
HUGE_CELL_UPLOADS = {
    "POST /api/workflows/{id}/audience": f"phone,name\n+14155550123,Ada\n+14155550124,{HUGE_CELL}\n",
    "POST /dnc/import": f"phone_e164,reason\n+14155550123,asked\n+14155550124,{HUGE_CELL}\n",
}
#: The calendar's ends: `date + timedelta` past them raises OverflowError.
EXTREME_REPORT_RANGES = [
    "from=9999-12-25&to=9999-12-31", "from=9999-12-31&to=9999-12-31", "to=9999-12-31",
    "from=0001-01-01&to=0001-01-07", "from=0001-01-01&to=0001-01-01", "to=0001-01-01",
    "from=0001-01-01&to=9999-12-31", "from=9999-12-31", "from=9999-12-31T23:59:59%2B00:00&to=9999-12-31",
    "from=0001-01-01T00:00:00-14:00&to=0001-01-02",
]
#: A number in a path segment as clients and attackers encode it: `+` as %2B, double-encoded, spaced,
#: with an encoded `/`, `%` or NUL, and as an emoji.
ENCODED_NUMBERS = ["%2B14155550313", "%252B14155550313", "%2B1%20415%20555%200313", "%2F%2B14155550313",
                   "%2B14155550313%2F..%2F..", "%25%2B1", "%00%2B14155550313", "%F0%9F%93%9E14155550313",
                   "+14155550313", "14155550313" * 8]


def _assert_contract_error_or_success(response, what: str) -> None:
    assert response.status_code < 500, f"{what} → {response.status_code}: {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and isinstance(body.get("code"), str), (what, body)


@pytest.fixture(scope="module")
def fuzz_workflow(base_url: str, fuzz_accounts: list[Account]) -> str:
    with new_session() as session:
        created = session.post(f"{base_url}/api/workflows", headers={"Authorization": f"Bearer "
                                                                                     f"{fuzz_accounts[0].token}"},
                               json={"nl_prompt": "Remind gym members whose plan lapsed; call 10am-7pm IST."})
    assert created.status_code == 201, created.text
    return created.json()["id"]


@pytest.mark.parametrize("route_key", sorted(HUGE_CELL_UPLOADS))
def test_a_csv_cell_over_the_field_limit_is_a_400_naming_row_and_column(route_key, base_url, fuzz_accounts,
                                                                          fuzz_workflow):
    method, path = route_key.split(" ", 1)
    with new_session() as session:
        response = session.request(method, f"{base_url}{path.replace('{id}', fuzz_workflow)}",
                                   headers={"Authorization": f"Bearer {fuzz_accounts[0].token}"},
                                   files={"file": ("huge.csv", HUGE_CELL_UPLOADS[route_key].encode(), "text/csv")})

    _assert_contract_error_or_success(response, route_key)
    assert response.status_code == 400, response.text[:300]
    message = response.json()["error"].lower()
    assert "row" in message and "column" in message, response.json()  # which cell, so the user can fix it


@pytest.mark.parametrize("query", EXTREME_REPORT_RANGES)
def test_extreme_dates_in_a_report_range_are_answered_not_a_500(query, base_url, fuzz_accounts):
    with new_session() as session:
        for _ in range(MAX_RATE_LIMIT_RETRIES):  # the fuzzing before shares this tenant's rate limit
            response = session.get(f"{base_url}/api/reports/weekly?{query}",
                                   headers={"Authorization": f"Bearer {fuzz_accounts[1].token}"})
            if response.status_code != 429:
                break
            time.sleep(min(float(response.headers.get("Retry-After") or 1), 5.0))

    _assert_contract_error_or_success(response, f"GET /api/reports/weekly?{query}")
    assert response.status_code in (200, 400), response.text[:300]


def _routes_with_path_parameters() -> list[str]:
    keys = [f"{route.method} {documented_path(route.path)}" for function in FUNCTIONS for route in function.routes]
    return [key for key in keys if "{" in key]


@pytest.mark.parametrize("route_key", _routes_with_path_parameters())
def test_percent_encoded_numbers_in_paths_get_the_contracts_answer(route_key, base_url, fuzz_accounts):
    method, template = route_key.split(" ", 1)
    with new_session() as session:
        for encoded in ENCODED_NUMBERS:
            # Every parameter gets the encoded number, except a carrier's name (an enum, matched first).
            path = template.replace("{provider}", "twilio") if template.startswith("/telephony/") else template
            path = re.sub(r"\{[a-z_0-9]+\}", encoded, path)  # no backslash in ENCODED_NUMBERS
            response = session.request(method, f"{base_url}{path}",
                                       headers={"Authorization": f"Bearer {fuzz_accounts[2].token}"})
            _assert_contract_error_or_success(response, f"{method} {path}")
