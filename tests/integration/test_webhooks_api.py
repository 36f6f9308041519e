"""The webhooks API on moto: endpoints with a secret shown once, the contract's error JSON for every bad input, the
SSRF rules as the cloud applies them, and one tenant never reaching another's endpoints or deliveries."""

from __future__ import annotations

import pytest

from tests.integration.conftest import mint_key, sign_up_and_log_in
from tests.integration.webhook_fixtures import (
    RECEIVER_URL,
    public_dns,  # noqa: F401 (a fixture)
    webhook_queues,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.usefixtures("webhook_queues", "public_dns")
EVENTS = ["call.completed", "approval.requested"]


def create(api, account, **body):
    return api.post("/webhooks", {"url": RECEIVER_URL, "events": EVENTS, **body}, token=account.token)


def test_the_secret_is_shown_once_and_the_endpoint_listed_without_it(api):
    owner = sign_up_and_log_in(api)

    created = create(api, owner, description="CRM sync")

    assert created.status == 201
    assert created.body["secret"].startswith("whsec_")
    assert {key: created.body[key] for key in ("url", "events", "enabled", "description")} == {
        "url": RECEIVER_URL, "events": EVENTS, "enabled": True, "description": "CRM sync"}
    listed = api.get("/webhooks", token=owner.token)
    fetched = api.get(f"/webhooks/{created.body['id']}", token=owner.token)
    assert [hook["id"] for hook in listed.body["webhooks"]] == [created.body["id"]]
    assert "secret" not in listed.body["webhooks"][0] and "secret" not in fetched.body
    assert created.body["secret"] not in listed.raw.decode() + fetched.raw.decode()


def test_a_replayed_creation_does_not_show_the_secret_again(api):
    owner = sign_up_and_log_in(api)
    body = {"url": RECEIVER_URL, "events": EVENTS}

    first = api.post("/webhooks", body, token=owner.token, headers={"idempotency-key": "hook-1"})
    again = api.post("/webhooks", body, token=owner.token, headers={"idempotency-key": "hook-1"})

    assert first.body["secret"] and again.body["secret"] is None
    assert again.body["id"] == first.body["id"] and len(api.get("/webhooks", token=owner.token).body["webhooks"]) == 1


def test_an_endpoint_is_updated_and_deleted(api):
    owner = sign_up_and_log_in(api)
    hook = create(api, owner).body

    updated = api.request("PUT", f"/webhooks/{hook['id']}", json_body={
        "events": ["run.completed", "run.completed"], "enabled": False, "description": ""}, token=owner.token)
    deleted = api.delete(f"/webhooks/{hook['id']}", token=owner.token)

    assert updated.status == 200
    assert (updated.body["events"], updated.body["enabled"], updated.body["description"]) == (
        ["run.completed"], False, None)
    assert (deleted.status, deleted.body) == (200, {"deleted": True, "id": hook["id"]})
    assert api.get(f"/webhooks/{hook['id']}", token=owner.token).status == 404


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"url": RECEIVER_URL, "events": ["call.exploded"]}, "VALIDATION_ERROR", "events.0"),
    ({"url": RECEIVER_URL, "events": []}, "VALIDATION_ERROR", "events"),
    ({"url": RECEIVER_URL}, "VALIDATION_ERROR", "events"),
    ({"events": EVENTS}, "VALIDATION_ERROR", "url"),
    ({"url": "not a url", "events": EVENTS}, "VALIDATION_ERROR", "url"),
    ({"url": "ftp://hooks.example.com/x", "events": EVENTS}, "VALIDATION_ERROR", "url"),
    ({"url": "https://user:pw@hooks.example.com/", "events": EVENTS}, "WEBHOOK_URL_INVALID", "url"),
    ({"url": "https://nowhere.example.com/", "events": EVENTS}, "WEBHOOK_URL_UNRESOLVABLE", "url"),
    ({"url": "http://169.254.169.254/latest/meta-data/", "events": EVENTS}, "WEBHOOK_URL_NOT_ALLOWED", "url"),
    ({"url": "https://10.1.2.3/hook", "events": EVENTS}, "WEBHOOK_URL_NOT_ALLOWED", "url"),
    ({"url": "http://hooks.example.com/plain", "events": EVENTS}, "WEBHOOK_URL_NOT_ALLOWED", "url"),
    ({"url": RECEIVER_URL, "events": EVENTS, "description": "a\x00b"}, "VALIDATION_ERROR", "description"),
])
def test_bad_input_gets_the_contracts_error_json(api, body, code, field):
    owner = sign_up_and_log_in(api)

    refused = api.post("/webhooks", body, token=owner.token)

    assert (refused.status, refused.body["code"], refused.body.get("field")) == (400, code, field)
    assert refused.body["error"]


def test_an_update_with_a_refused_url_is_400_and_one_without_any_field_changes_nothing(api):
    owner = sign_up_and_log_in(api)
    hook = create(api, owner).body

    private = api.request("PUT", f"/webhooks/{hook['id']}", json_body={"url": "https://192.168.0.10/"},
                          token=owner.token)
    empty = api.request("PUT", f"/webhooks/{hook['id']}", json_body={}, token=owner.token)

    assert (private.status, private.body["code"], private.body["field"]) == (400, "WEBHOOK_URL_NOT_ALLOWED", "url")
    assert empty.status == 200 and empty.body["url"] == RECEIVER_URL


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/_sandbox/webhook-receiver/demo",  # the sandbox's own receiver: local stack only
    "https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/",
    "https://10.0.0.1/", "https://172.31.255.1/", "https://192.168.1.1/", "https://[::1]/",
])
def test_in_the_cloud_loopback_private_and_metadata_addresses_are_refused(api, settings, url):
    owner = sign_up_and_log_in(api)
    settings(CALLFUNNEL_ENVIRONMENT="aws")

    refused = api.post("/webhooks", {"url": url, "events": EVENTS}, token=owner.token)

    assert (refused.status, refused.body["code"], refused.body["field"]) == (400, "WEBHOOK_URL_NOT_ALLOWED", "url")


def test_the_local_stack_accepts_its_own_loopback_receiver(api):
    owner = sign_up_and_log_in(api)

    created = api.post("/webhooks", {"url": "http://127.0.0.1:8000/_sandbox/webhook-receiver/demo",
                                     "events": EVENTS}, token=owner.token)

    assert created.status == 201


def test_the_number_of_endpoints_is_capped(api, settings):
    settings(MAX_WEBHOOK_ENDPOINTS="2")
    owner = sign_up_and_log_in(api)
    create(api, owner)
    create(api, owner)

    refused = create(api, owner)

    assert (refused.status, refused.body["code"]) == (400, "WEBHOOK_LIMIT_REACHED")


def test_without_a_key_to_seal_the_secret_nothing_is_created(api, monkeypatch):
    owner = sign_up_and_log_in(api)
    monkeypatch.delenv("CALLFUNNEL_LOCAL_MEK")
    from shared.platform.settings import reset_settings

    reset_settings()

    refused = create(api, owner)

    assert (refused.status, refused.body["code"]) == (503, "ENCRYPTION_UNAVAILABLE")


def test_another_tenant_never_reaches_an_endpoint_or_its_deliveries(api):
    owner, other = sign_up_and_log_in(api), sign_up_and_log_in(api)
    hook = create(api, owner).body
    tested = api.post(f"/webhooks/{hook['id']}/test", token=owner.token)
    delivery_id = tested.body["delivery"]["id"]
    base = f"/webhooks/{hook['id']}"

    answers = [api.get(base, token=other.token), api.get(f"{base}/deliveries", token=other.token),
               api.request("PUT", base, json_body={"enabled": False}, token=other.token),
               api.post(f"{base}/test", token=other.token),
               api.post(f"{base}/deliveries/{delivery_id}/retry", token=other.token),
               api.delete(base, token=other.token)]

    assert [(answer.status, answer.body["code"]) for answer in answers] == [(404, "WEBHOOK_NOT_FOUND")] * 6
    assert api.get("/webhooks", token=other.token).body == {"webhooks": []}
    assert api.get(base, token=owner.token).body["enabled"] is True


def test_scopes_read_lists_write_creates_admin_deletes(api):
    owner = sign_up_and_log_in(api)
    read, write = mint_key(api, owner, scope="read")["secret"], mint_key(api, owner, scope="write")["secret"]
    hook = create(api, owner).body

    assert api.get("/webhooks", token=read).status == 200
    assert api.post("/webhooks", {"url": RECEIVER_URL, "events": EVENTS}, token=read).body["code"] == (
        "INSUFFICIENT_SCOPE")
    assert api.post(f"/webhooks/{hook['id']}/test", token=write).status == 202
    assert api.delete(f"/webhooks/{hook['id']}", token=write).body["code"] == "INSUFFICIENT_SCOPE"
