"""Event webhooks through the local stack, to its sandbox receiver (`/_sandbox/webhook-receiver/{name}`), which
verifies every request with the `standardwebhooks` library as a tenant's receiver would.

Signed events arrive and verify; a receiver failure is retried within 10 s under the same webhook-id; a campaign's
events (run, calls, opt-out) reach the receiver; deliveries are listed and retried; the SSRF rules refuse metadata,
link-local, private addresses and plain http elsewhere than the stack's own loopback (the cloud's stricter rules
— no loopback either — are proven in tests/integration/test_webhooks_api.py with a cloud-mode setting); and one
tenant never reaches another's endpoints, deliveries or events.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.helpers import run_to_the_end, sign_up_and_log_in
from tests.contract.test_dialer import CALLABLE_MOMENT, _ready_workflow

RETRY_WITHIN_SECONDS = 10


def receiver_url(base_url: str, name: str) -> str:
    return f"{base_url}/_sandbox/webhook-receiver/{name}"


def new_receiver(http, base_url, **settings: Any) -> str:
    name = f"r{uuid.uuid4().hex[:12]}"
    configured = http.put(receiver_url(base_url, name), json=settings)
    assert configured.status_code == 200, configured.text
    return name


def subscribe(http, base_url, account, name: str, events: list[str]) -> dict:
    """An endpoint at the receiver, which is then told the secret (shown in this one answer)."""
    created = http.post(f"{base_url}/api/webhooks", json={"url": receiver_url(base_url, name), "events": events},
                        headers=account.auth)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert http.put(receiver_url(base_url, name), json={"secret": hook["secret"]}).status_code == 200
    return hook


def received(http, base_url, name: str) -> list[dict]:
    return http.get(receiver_url(base_url, name)).json()["received"]


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s")


def test_a_test_event_arrives_signed_and_verifies(http, base_url):
    owner = sign_up_and_log_in(http, base_url)
    name = new_receiver(http, base_url)
    hook = subscribe(http, base_url, owner, name, ["call.completed"])

    queued = http.post(f"{base_url}/api/webhooks/{hook['id']}/test", headers=owner.auth)

    assert queued.status_code == 202, queued.text
    (request,) = wait_for(lambda: received(http, base_url, name), 10, "the test event")
    assert (request["type"], request["verified"], request["answered"]) == ("webhook.test", True, 200)
    assert request["webhook_id"] == queued.json()["delivery"]["event_id"]
    assert set(request["body"]) == {"type", "timestamp", "data"}


def test_a_receiver_failure_is_retried_within_10_s_under_the_same_webhook_id(http, base_url):
    owner = sign_up_and_log_in(http, base_url)
    name = new_receiver(http, base_url, fail_next=1, fail_status=503)
    hook = subscribe(http, base_url, owner, name, ["contact.opted_out"])

    http.post(f"{base_url}/dnc/add", json={"phone_e164": "+14155550188", "reason": "asked by email"},
              headers=owner.auth)

    first, retry = wait_for(lambda: (lambda got: got if len(got) >= 2 else None)(received(http, base_url, name)),
                            20, "the failed delivery and its retry")
    assert (first["answered"], retry["answered"]) == (503, 200)
    assert first["webhook_id"] == retry["webhook_id"] and first["verified"] and retry["verified"]
    assert retry["body"]["type"] == "contact.opted_out" and retry["body"]["data"]["phone_e164"] == "+14155550188"
    waited = int(retry["webhook_timestamp"]) - int(first["webhook_timestamp"])
    assert 0 <= waited <= RETRY_WITHIN_SECONDS
    (delivery,) = http.get(f"{base_url}/api/webhooks/{hook['id']}/deliveries", headers=owner.auth).json()["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"], delivery["event_id"]) == (
        "delivered", 2, 200, first["webhook_id"])


def test_a_failed_delivery_is_listed_and_a_manual_retry_delivers_it(http, base_url):
    owner = sign_up_and_log_in(http, base_url)
    name = new_receiver(http, base_url, fail_next=1, fail_status=404)  # a 4xx is not retried on its own
    hook = subscribe(http, base_url, owner, name, ["call.completed"])
    http.post(f"{base_url}/api/webhooks/{hook['id']}/test", headers=owner.auth)
    deliveries_url = f"{base_url}/api/webhooks/{hook['id']}/deliveries"

    (failed,) = wait_for(lambda: [row for row in http.get(deliveries_url, headers=owner.auth).json()["deliveries"]
                                  if row["status"] == "failed"], 10, "the failed delivery")
    assert (failed["attempts"], failed["last_status_code"], failed["next_attempt_at"]) == (1, 404, None)
    retried = http.post(f"{deliveries_url}/{failed['id']}/retry", headers=owner.auth)

    assert retried.status_code == 202 and retried.json()["delivery"]["status"] == "pending"
    wait_for(lambda: http.get(deliveries_url, headers=owner.auth).json()["deliveries"][0]["status"] == "delivered",
             10, "the retried delivery")
    first, again = received(http, base_url, name)
    assert first["webhook_id"] == again["webhook_id"] and (first["answered"], again["answered"]) == (404, 200)


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/", "http://[fd00:ec2::254]/",
    "https://10.0.0.1/hook", "https://192.168.1.10/hook", "https://172.16.0.1/", "http://[fe80::1]/",
    "http://93.184.216.34/plain-http",  # public, but http: only the stack's own loopback may be plain http
])
def test_metadata_link_local_private_and_plain_http_urls_are_refused(http, base_url, url):
    owner = sign_up_and_log_in(http, base_url)

    refused = http.post(f"{base_url}/api/webhooks", json={"url": url, "events": ["call.completed"]},
                        headers=owner.auth)

    assert refused.status_code == 400, refused.text
    assert (refused.json()["code"], refused.json()["field"]) == ("WEBHOOK_URL_NOT_ALLOWED", "url")


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"url": "https://hooks.example.com/x", "events": ["call.exploded"]}, "VALIDATION_ERROR", "events.0"),
    ({"url": "hooks.example.com", "events": ["call.completed"]}, "VALIDATION_ERROR", "url"),
    ({"url": "https://user:pw@127.0.0.1/", "events": ["call.completed"]}, "WEBHOOK_URL_INVALID", "url"),
])
def test_bad_input_gets_the_contracts_error(http, base_url, body, code, field):
    owner = sign_up_and_log_in(http, base_url)

    refused = http.post(f"{base_url}/api/webhooks", json=body, headers=owner.auth)

    assert refused.status_code == 400 and (refused.json()["code"], refused.json()["field"]) == (code, field)


def test_one_tenant_never_reaches_anothers_endpoints_deliveries_or_events(http, base_url):
    owner, other = sign_up_and_log_in(http, base_url), sign_up_and_log_in(http, base_url)
    owners, others = new_receiver(http, base_url), new_receiver(http, base_url)
    hook = subscribe(http, base_url, owner, owners, ["contact.opted_out"])
    subscribe(http, base_url, other, others, ["contact.opted_out"])
    delivery = http.post(f"{base_url}/api/webhooks/{hook['id']}/test", headers=owner.auth).json()["delivery"]
    base = f"{base_url}/api/webhooks/{hook['id']}"

    answers = [http.get(base, headers=other.auth), http.get(f"{base}/deliveries", headers=other.auth),
               http.put(base, json={"enabled": False}, headers=other.auth),
               http.post(f"{base}/test", headers=other.auth),
               http.post(f"{base}/deliveries/{delivery['id']}/retry", headers=other.auth),
               http.delete(base, headers=other.auth)]
    http.post(f"{base_url}/dnc/add", json={"phone_e164": "+14155550177"}, headers=other.auth)

    assert [(answer.status_code, answer.json()["code"]) for answer in answers] == [(404, "WEBHOOK_NOT_FOUND")] * 6
    assert hook["id"] not in http.get(f"{base_url}/api/webhooks", headers=other.auth).text
    wait_for(lambda: any(r["type"] == "contact.opted_out" for r in received(http, base_url, others)), 10,
             "the other tenant's own event")
    assert [request["type"] for request in received(http, base_url, owners)] == ["webhook.test"]


@pytest.fixture
def callable_clock(http, base_url):
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def test_a_sandbox_campaign_sends_its_events_signed_to_the_receiver(http, base_url, callable_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    name = new_receiver(http, base_url)
    subscribe(http, base_url, owner, name, ["run.started", "run.completed", "call.started", "call.completed",
                                            "contact.opted_out"])
    phones = ["+14155550008", "+14155550003"]  # converts; says "please stop calling me"
    workflow = _ready_workflow(http, base_url, owner, phones)

    started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
    assert started.status_code == 201, started.text
    run_to_the_end(http, base_url, owner, workflow["id"])

    def everything() -> list[dict] | None:
        got = received(http, base_url, name)
        return got if any(request["type"] == "run.completed" for request in got) else None

    requests = wait_for(everything, 20, "the run's events")
    kinds = sorted(request["type"] for request in requests)
    assert all(request["verified"] and request["answered"] == 200 for request in requests)
    assert kinds.count("run.started") == 1 and kinds.count("run.completed") == 1
    assert kinds.count("call.completed") == 2 and kinds.count("call.started") == 2
    assert kinds.count("contact.opted_out") == 1
    outcomes = {request["body"]["data"]["to"]: request["body"]["data"]["outcome"] for request in requests
                if request["type"] == "call.completed"}
    assert outcomes == {"+14155550008": "converted", "+14155550003": "opted_out"}
