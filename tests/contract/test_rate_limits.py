"""Rate limits over HTTP: the X-RateLimit-* headers on authenticated responses, and a 429 past the burst."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.contract.helpers import Account, assert_error, new_session, sign_up_and_log_in

RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
PARALLEL_CLIENTS = 8


def test_an_authenticated_response_announces_the_limit(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)

    response = http.get(f"{base_url}/billing/balance", headers=owner.auth)

    assert response.status_code == 200, response.text
    limit, remaining, reset = (int(response.headers[name]) for name in RATE_LIMIT_HEADERS)
    assert limit >= 1 and 0 <= remaining < limit and reset >= 0


def test_an_error_response_announces_it_too(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)

    response = http.get(f"{base_url}/workflows/wf_missing", headers=owner.auth)

    assert_error(response, 404)
    assert all(name in response.headers for name in RATE_LIMIT_HEADERS)


def test_a_burst_past_the_limit_gets_429_with_retry_after(base_url: str, http: requests.Session) -> None:
    # Given a fresh workspace and its announced burst
    owner = sign_up_and_log_in(http, base_url)
    burst = int(http.get(f"{base_url}/billing/balance", headers=owner.auth).headers["X-RateLimit-Limit"])

    # When it sends several times its burst at once, from parallel clients
    responses = _burst(base_url, owner, requests_total=min(4 * burst + 40, 2000))

    # Then some are refused with the contract's error, Retry-After and the limit headers; the rest succeed
    refused = [response for response in responses if response.status_code == 429]
    assert refused, f"no 429 in {len(responses)} requests against a burst of {burst}"
    assert {response.status_code for response in responses} <= {200, 429}
    assert_error(refused[0], 429, "RATE_LIMITED")
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert refused[0].headers["X-RateLimit-Remaining"] == "0"
    assert int(refused[0].headers["X-RateLimit-Limit"]) == burst


def test_one_workspace_at_its_limit_does_not_slow_another(base_url: str, http: requests.Session) -> None:
    busy, quiet = sign_up_and_log_in(http, base_url), sign_up_and_log_in(http, base_url)
    burst = int(http.get(f"{base_url}/billing/balance", headers=busy.auth).headers["X-RateLimit-Limit"])
    _burst(base_url, busy, requests_total=min(4 * burst + 40, 2000))

    response = http.get(f"{base_url}/billing/balance", headers=quiet.auth)

    assert response.status_code == 200, response.text


def _burst(base_url: str, account: Account, *, requests_total: int) -> list[requests.Response]:
    sessions = [new_session() for _ in range(PARALLEL_CLIENTS)]

    def call(index: int) -> requests.Response:
        return sessions[index % PARALLEL_CLIENTS].get(f"{base_url}/billing/balance", headers=account.auth)

    with ThreadPoolExecutor(PARALLEL_CLIENTS) as pool:
        responses = list(pool.map(call, range(requests_total)))
    for session in sessions:
        session.close()
    return responses
