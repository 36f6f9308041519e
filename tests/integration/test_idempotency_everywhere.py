"""One Idempotency-Key mechanism for every state-changing POST, including routes that never asked for it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.platform import clock
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration
NUMBER = "+14155550123"


def _add_to_dnc(api, owner, key: str | None, reason: str = "asked on call", phone: str = NUMBER):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post("/dnc/add", {"phone_e164": phone, "reason": reason}, token=owner.token, headers=headers)


def test_a_post_replayed_with_its_key_returns_the_first_response_marked_as_a_replay(api):
    owner = sign_up_and_log_in(api)
    first = _add_to_dnc(api, owner, "dnc-1")
    clock.freeze(clock.now() + timedelta(minutes=5))  # a re-add would refresh the timestamp

    again = _add_to_dnc(api, owner, "dnc-1")

    assert (first.status, again.status) == (200, 200)
    assert again.body == first.body
    assert again.headers.get("idempotent-replayed") == "true" and "idempotent-replayed" not in first.headers
    assert "x-ratelimit-remaining" in again.headers


def test_without_a_key_the_route_runs_again(api):
    owner = sign_up_and_log_in(api)
    first = _add_to_dnc(api, owner, None)
    clock.freeze(clock.now() + timedelta(minutes=5))

    again = _add_to_dnc(api, owner, None)

    assert again.body["entry"]["added_at"] != first.body["entry"]["added_at"]


def test_the_same_key_with_another_body_is_a_422(api):
    owner = sign_up_and_log_in(api)
    _add_to_dnc(api, owner, "dnc-1")

    reused = _add_to_dnc(api, owner, "dnc-1", reason="another reason")

    assert reused.status == 422 and reused.body["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert reused.body["field"] == "Idempotency-Key"


def test_json_is_compared_by_value_not_by_spelling(api):
    owner = sign_up_and_log_in(api)
    first = _add_to_dnc(api, owner, "dnc-1")

    respelled = api.request("POST", "/dnc/add", token=owner.token, headers={"Idempotency-Key": "dnc-1"},
                            raw_body=b'{ "reason" : "asked on call",  "phone_e164": "+14155550123" }')

    assert respelled.status == 200 and respelled.body == first.body
    assert respelled.headers.get("idempotent-replayed") == "true"


def test_a_key_is_scoped_to_its_route(api):
    owner = sign_up_and_log_in(api)
    _add_to_dnc(api, owner, "shared-key")

    minted = api.post("/api-keys", {"name": "robot"}, token=owner.token, headers={"Idempotency-Key": "shared-key"})

    assert minted.status == 201 and "idempotent-replayed" not in minted.headers


def test_minting_an_api_key_twice_with_one_key_mints_once_and_never_stores_the_secret(api):
    owner = sign_up_and_log_in(api)
    headers = {"Idempotency-Key": "mint-1"}

    first = api.post("/api-keys", {"name": "robot"}, token=owner.token, headers=headers)
    again = api.post("/api-keys", {"name": "robot"}, token=owner.token, headers=headers)

    assert (first.status, again.status) == (201, 201)
    assert again.body["id"] == first.body["id"] and first.body["secret"].startswith("cf_live_")
    assert again.body["secret"] is None  # only the sha256 of a key is ever stored
    assert len(api.get("/api-keys", token=owner.token).body["keys"]) == 1


def test_an_error_is_not_stored_and_the_key_may_be_retried(api):
    owner = sign_up_and_log_in(api)
    headers = {"Idempotency-Key": "retry-me"}

    failed = api.post("/workflows/wf_missing/run", token=owner.token, headers=headers)
    again = api.post("/workflows/wf_missing/run", token=owner.token, headers=headers)

    assert failed.status == again.status == 404
    assert "idempotent-replayed" not in again.headers and "x-ratelimit-limit" in again.headers


def test_the_openapi_document_lists_the_header_on_state_changing_posts_only(api):
    document = api.get("/openapi.json").body
    paths = document["paths"]

    def header_names(operation):
        return [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "header"]

    assert "Idempotency-Key" in header_names(paths["/dnc/add"]["post"])
    assert "Idempotency-Key" in header_names(paths["/api-keys"]["post"])
    assert "Idempotency-Key" in header_names(paths["/billing/topup"]["post"])
    assert "Idempotency-Key" not in header_names(paths["/dnc"]["get"])
    assert "Idempotency-Key" not in header_names(paths["/numbers/search"]["post"])  # read scope: changes nothing
    assert "Idempotency-Key" not in header_names(paths["/auth/signup"]["post"])  # public
    replayable = paths["/dnc/add"]["post"]["responses"]["200"]["headers"]
    assert replayable["Idempotent-Replayed"] == {"$ref": "#/components/headers/Idempotent-Replayed"}


def test_the_openapi_document_lists_the_rate_limit_on_every_authenticated_operation(api):
    document = api.get("/openapi.json").body
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            if operation.get("x-callfunnel-access", {}).get("access") != "protected":
                continue
            responses = operation["responses"]
            assert "Retry-After" in responses["429"]["headers"], (method, path)
            for status, response in responses.items():
                assert set(response["headers"]) >= {"X-RateLimit-Limit", "X-RateLimit-Remaining",
                                                    "X-RateLimit-Reset"}, (method, path, status)
    assert "Retry-After" in document["paths"]["/auth/login"]["post"]["responses"]["429"]["headers"]
    assert set(document["components"]["headers"]) >= {"X-RateLimit-Limit", "Retry-After", "Idempotent-Replayed"}
