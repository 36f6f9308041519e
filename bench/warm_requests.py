"""Warm `GET /billing/balance` with an API key, and the AWS calls each authenticated request makes.

Both sides go through the local stack over HTTP (its server, API Gateway adapter and Lambda runtime,
moto in-process): the real billing function against a bare handler doing one DynamoDB GetItem,
served by the same stack, timed in turns (so load drifting on a shared machine hits both alike). The
in-process figures (no socket) are reported too: they are the stricter comparison. Targets: ≤ 1.5× the
bare handler; ≤ 3 AWS calls per authenticated request.

The tenant's rate limit is raised for the bench (`BENCH_RATE_LIMIT`) so that every timed request is a 200
(with the default 10/s, most of them would be 429s and the figure would time the refusal); the lease
size (`RATE_LIMIT_LEASE_SIZE`) stays as configured, so a warm container takes a lease of tokens with one
conditional write every N requests. AWS calls per request are averaged over `CALL_COUNT_REQUESTS`
requests (a whole number of leases) for the same reason.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time
from collections import Counter
from typing import Any

from functions.catalog import FUNCTIONS, HttpRoute, LambdaFunction
from infra_local.environment import prepare_environment

WARMUP = 30
SAMPLES = 400
BENCH_RATE_LIMIT = "1000000"  # per second and burst: never the limit under test here
CALL_COUNT_REQUESTS = 60
BARE = LambdaFunction(name="bare", handler="bench.bare_handler.lambda_handler", description="one GetItem",
                      routes=(HttpRoute("GET", "/_bench/bare"),))


class _Stack:
    """The local stack in this process, serving the catalog plus the bare baseline function."""

    def __init__(self) -> None:
        from infra_local.aws import bootstrap, start_moto
        from infra_local.server import LocalApiServer
        from shared.platform.settings import reset_settings

        os.environ["PORT"] = "0"  # any free port: the bench must not collide with a running `make run`
        self._previous = {name: os.environ.get(name) for name in ("RATE_LIMIT_PER_SECOND", "RATE_LIMIT_BURST")}
        os.environ["RATE_LIMIT_PER_SECOND"] = os.environ["RATE_LIMIT_BURST"] = BENCH_RATE_LIMIT
        environment = prepare_environment()
        reset_settings()
        self.mock = start_moto()
        bootstrap()
        self.server = LocalApiServer(environment, functions=(*FUNCTIONS, BARE), access_log=False)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port)

    def call(self, method: str, path: str, *, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port)
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        return response.status, json.loads(raw) if raw else None

    def invoke(self, function: LambdaFunction, path: str, token: str | None = None, query: str = "") -> int:
        """The same request without the socket: adapter + runtime only."""
        from infra_local.http_adapter import HttpRequest, build_event, map_result, match_route

        headers = [("authorization", f"Bearer {token}")] if token else []
        request = HttpRequest(method="GET", path=path, query_string=query, headers=headers)
        match = match_route("GET", path, (*FUNCTIONS, BARE))
        result = self.server.runtime.invoke(match.function, build_event(request, match, account_id="123456789012"))
        return map_result(result).status

    def stop(self) -> None:
        from shared.platform.settings import reset_settings

        self.server.shutdown()
        self.server.server_close()
        self.mock.stop()
        for name, value in self._previous.items():  # the other sections run with the configured limits
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()


def _median_ms(action) -> float:
    """Median milliseconds of `action`, which returns an HTTP status: every one must be a 200."""
    return _paired_medians_ms(action)[0][0]


def _paired_medians_ms(*actions) -> list[tuple[float, float]]:
    """(wall, CPU) median milliseconds of each action, timed in turns (the order rotating every round), so
    that load drifting during the bench slows every side alike; every answer must be a 200.

    CPU is this process's (client, local server threads, moto and the handler all run in it): on a shared
    machine other processes inflate wall time, not this process's CPU time, so its ratio is the steadier."""
    for _ in range(WARMUP):
        for action in actions:
            action()
    walls: list[list[float]] = [[] for _ in actions]
    cpus: list[list[float]] = [[] for _ in actions]
    statuses: Counter = Counter()
    for sample in range(SAMPLES):
        for offset in range(len(actions)):
            index = (sample + offset) % len(actions)
            started, cpu_started = time.perf_counter(), time.process_time()
            statuses[_status(actions[index]())] += 1
            walls[index].append(time.perf_counter() - started)
            cpus[index].append(time.process_time() - cpu_started)
    assert set(statuses) == {200}, f"the bench timed other answers than 200: {dict(statuses)}"
    return [(statistics.median(wall) * 1000, statistics.median(cpu) * 1000) for wall, cpu in zip(walls, cpus,
                                                                                                 strict=True)]


def _figures(bare: tuple[float, float], balance: tuple[float, float]) -> dict[str, float]:
    return {"bare_get_item_ms": round(bare[0], 3), "balance_with_api_key_ms": round(balance[0], 3),
            "ratio": round(balance[0] / bare[0], 2),
            "bare_get_item_cpu_ms": round(bare[1], 3), "balance_with_api_key_cpu_ms": round(balance[1], 3),
            "cpu_ratio": round(balance[1] / bare[1], 2)}


def _status(result: Any) -> int:
    return result[0] if isinstance(result, tuple) else result


class _AwsCallCounter:
    """Counts every AWS API call made by botocore clients (boto3's and pynamodb's alike)."""

    def __enter__(self) -> Counter:
        import botocore.client

        self.calls: Counter = Counter()
        self._original = botocore.client.BaseClient._make_api_call
        calls, original = self.calls, self._original

        def counting(client, operation_name, api_params):
            calls[operation_name] += 1
            return original(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = counting
        return self.calls

    def __exit__(self, *exc_info) -> None:
        import botocore.client

        botocore.client.BaseClient._make_api_call = self._original


def _credential_and_wallet_read(secret: str, tenant_id: int):
    """The authenticated request's one DynamoDB read on its own (no framework, no rate limit): the floor the
    balance request cannot go under — on moto its cost grows with the attributes returned (24 here, 10 for
    the bare handler's wallet), which is what separates the two."""
    from shared.api_keys.secrets import secret_hash
    from shared.auth import repository

    hashed = secret_hash(secret)

    def read() -> int:
        key, wallet = repository.api_key_with_wallet(hashed, tenant_id)
        return 200 if key is not None and wallet is not None else 404

    return read


def run() -> dict[str, Any]:
    from shared.platform.settings import get_settings

    stack = _Stack()
    try:
        signup = {"email": "bench@example.com", "password": "benchmark password", "country": "US"}
        status, created = stack.call("POST", "/auth/signup", body=signup)
        assert status == 201, created
        login = {"email": signup["email"], "password": signup["password"]}
        session = stack.call("POST", "/auth/login", body=login)[1]
        secret = stack.call("POST", "/api-keys", body={"name": "bench"}, token=session["token"])[1]["secret"]
        bare_path = f"/_bench/bare?tenant_id={created['tenant']['id']}"

        http_bare, http_balance = _paired_medians_ms(lambda: stack.call("GET", bare_path),
                                                     lambda: stack.call("GET", "/billing/balance", token=secret))
        query = f"tenant_id={created['tenant']['id']}"
        direct_bare, direct_balance = _paired_medians_ms(
            lambda: stack.invoke(BARE, "/_bench/bare", query=query),
            lambda: stack.invoke(None, "/billing/balance", token=secret))
        direct_health = _median_ms(lambda: stack.invoke(None, "/healthz"))
        floor_bare, floor_read = _paired_medians_ms(lambda: stack.invoke(BARE, "/_bench/bare", query=query),
                                                    _credential_and_wallet_read(secret, created["tenant"]["id"]))

        calls = {}
        for label, path, token in [
            ("GET /billing/balance (API key)", "/billing/balance", secret),
            ("GET /billing/balance (JWT)", "/billing/balance", session["token"]),
            ("GET /auth/me (JWT)", "/auth/me", session["token"]),
            ("GET /api-keys (JWT)", "/api-keys", session["token"]),
        ]:
            with _AwsCallCounter() as counted:
                for _ in range(CALL_COUNT_REQUESTS):
                    assert stack.call("GET", path, token=token)[0] == 200
            calls[label] = {operation: round(count / CALL_COUNT_REQUESTS, 2) for operation, count in counted.items()}
        return {
            "http": _figures(http_bare, http_balance),
            "in_process": {**_figures(direct_bare, direct_balance), "healthz_no_aws_ms": round(direct_health, 3),
                           "credential_and_wallet_read_ms": round(floor_read[0], 3),
                           "credential_and_wallet_read_ratio": round(floor_read[0] / floor_bare[0], 2)},
            "aws_calls_per_request": calls,
            "rate_limit_lease_size": get_settings().rate_limit_lease_size,
        }
    finally:
        stack.stop()
