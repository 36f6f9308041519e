"""Per-tenant rate limits through the API Gateway adapter, on moto (login/signup/preview: test_abuse_limits)."""

from __future__ import annotations

import botocore.client
import pytest

from shared.platform import rate_limits
from shared.platform.rate_limits import Limit
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration
RATE_LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@pytest.fixture
def limits(settings):
    """Set the limits for this test (a slow refill makes counts exact); forget cached buckets around it."""
    rate_limits.forget_cached_buckets()
    yield settings
    rate_limits.forget_cached_buckets()


@pytest.fixture
def dynamodb_calls(monkeypatch) -> list[tuple[str, dict]]:
    """Every DynamoDB operation botocore sends (pynamodb's and boto3's alike), in order."""
    calls: list[tuple[str, dict]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(client, operation_name, api_params):
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation_name, api_params))
        return original(client, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def test_an_authenticated_response_carries_the_default_limits(api, limits):
    owner = sign_up_and_log_in(api)

    reply = api.get("/billing/balance", token=owner.token)

    assert reply.status == 200
    assert [reply.headers[name] for name in RATE_LIMIT_HEADERS] == ["20", "19", "1"]
    assert "retry-after" not in reply.headers


def test_errors_raised_by_the_route_or_the_scope_check_carry_the_headers_too(api, limits):
    owner = sign_up_and_log_in(api)
    reader = mint_key(api, owner, scope="read")

    missing = api.get("/workflows/wf_missing", token=owner.token)
    refused = api.post("/dnc/add", {"phone_e164": "+14155550123"}, token=reader["secret"])

    assert missing.status == 404 and refused.status == 403
    assert all(name in reply.headers for reply in (missing, refused) for name in RATE_LIMIT_HEADERS)


def test_an_unauthenticated_request_spends_nothing_and_gets_no_headers(api, limits):
    reply = api.get("/billing/balance")

    assert reply.status == 401
    assert not any(name in reply.headers for name in RATE_LIMIT_HEADERS)


def test_past_the_burst_a_429_says_when_to_retry(api, limits):
    limits(RATE_LIMIT_PER_SECOND="0.2", RATE_LIMIT_BURST="3")
    owner = sign_up_and_log_in(api)

    replies = [api.get("/billing/balance", token=owner.token) for _ in range(4)]

    assert [reply.status for reply in replies] == [200, 200, 200, 429]
    assert [reply.headers["x-ratelimit-remaining"] for reply in replies] == ["2", "1", "0", "0"]
    refused = replies[-1]
    assert refused.body == {"error": refused.body["error"], "code": "RATE_LIMITED"}
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert 1 <= int(refused.headers["retry-after"]) <= 5 and refused.headers["x-ratelimit-reset"] == \
        refused.headers["retry-after"]


def test_a_request_with_an_invalid_body_spends_a_token_too(api, limits):
    limits(RATE_LIMIT_PER_SECOND="0.2", RATE_LIMIT_BURST="1")
    owner = sign_up_and_log_in(api)

    invalid = api.post("/dnc/add", {"phone_e164": ""}, token=owner.token)
    next_one = api.get("/billing/balance", token=owner.token)

    assert invalid.status == 400 and next_one.status == 429


def test_each_tenant_has_its_own_bucket(api, limits):
    limits(RATE_LIMIT_PER_SECOND="0.2", RATE_LIMIT_BURST="2")
    busy, quiet = sign_up_and_log_in(api), sign_up_and_log_in(api)

    for _ in range(3):
        api.get("/billing/balance", token=busy.token)
    reply = api.get("/billing/balance", token=quiet.token)

    assert reply.status == 200 and reply.headers["x-ratelimit-remaining"] == "1"


def test_a_warm_container_spends_one_update_item_per_lease_of_tokens(api, limits, dynamodb_calls):
    # Leases of 5 tokens, held (and refilled) slowly enough that a slow machine cannot change the counts
    limits(RATE_LIMIT_PER_SECOND="0.1", RATE_LIMIT_BURST="20", RATE_LIMIT_LEASE_SIZE="5", RATE_LIMIT_LEASE_SECONDS="30")
    owner = sign_up_and_log_in(api)
    api.get("/billing/balance", token=owner.token)  # the container's first lease: 5 tokens, 1 spent
    dynamodb_calls.clear()

    replies = [api.get("/billing/balance", token=owner.token) for _ in range(10)]

    assert [reply.status for reply in replies] == [200] * 10
    assert [reply.headers["x-ratelimit-remaining"] for reply in replies] == [str(n) for n in range(18, 8, -1)]
    updates = [params for operation, params in dynamodb_calls if operation == "UpdateItem"]
    assert len(updates) == 2  # the 6th and the 11th request take a new lease; the others spend it in memory
    assert all(params["Key"]["PK"]["S"] == f"RATELIMIT#{owner.tenant_id}" for params in updates)
    reads = [operation for operation, _ in dynamodb_calls if operation != "UpdateItem"]
    assert len(reads) == 10  # one credential + wallet read per request: most requests cost one AWS call


def test_a_lease_size_of_one_spends_one_update_item_per_request(api, limits, dynamodb_calls):
    limits(RATE_LIMIT_LEASE_SIZE="1")
    owner = sign_up_and_log_in(api)
    api.get("/billing/balance", token=owner.token)
    dynamodb_calls.clear()

    for _ in range(5):
        assert api.get("/billing/balance", token=owner.token).status == 200

    assert [operation for operation, _ in dynamodb_calls].count("UpdateItem") == 5


def test_a_tenant_can_have_its_own_limits(api, limits):
    owner = sign_up_and_log_in(api)
    rate_limits.set_tenant_limit(owner.tenant_id, Limit(1, 50))

    api.get("/billing/balance", token=owner.token)  # learns the tenant's limits from its bucket
    reply = api.get("/billing/balance", token=owner.token)

    assert reply.headers["x-ratelimit-limit"] == "50"
