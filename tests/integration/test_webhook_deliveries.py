"""Event webhooks end to end on moto: a published event fans out to the subscribed endpoints, each delivery is
signed (Standard Webhooks), retried with backoff on 5xx/429/timeouts under the same webhook-id, failed on other
answers, re-checked against SSRF at every send, and an endpoint failing for days is disabled with an email."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from standardwebhooks import Webhook

from shared.platform import clock
from shared.platform.events import publish_event
from shared.webhooks.delivery import handle_attempt_message
from shared.webhooks.fanout import handle_event_message
from tests.integration.conftest import sent_emails, sign_up_and_log_in
from tests.integration.webhook_fixtures import (
    DELIVERIES_QUEUE,
    EVENTS_QUEUE,
    PUBLIC_ADDRESS,
    RECEIVER_URL,
    ScriptedTransport,
    dns,
    public_dns,  # noqa: F401 (a fixture)
    take,
    webhook_queues,  # noqa: F401 (a fixture)
)

PUBLIC = dns({"hooks.example.com": PUBLIC_ADDRESS})
pytestmark = pytest.mark.usefixtures("webhook_queues", "public_dns")


def endpoint(api, account, events=("call.completed",), url=RECEIVER_URL):
    created = api.post("/webhooks", {"url": url, "events": list(events)}, token=account.token)
    assert created.status == 201, created.body
    return created.body


def published(tenant_id, event_type="call.completed", data=None):
    """Publish an event and fan it out; the first attempts it queued."""
    assert publish_event(tenant_id, event_type, data or {"call_id": "call_1", "outcome": "converted"})
    (event,) = take(EVENTS_QUEUE)
    handle_event_message(event.body)
    return take(DELIVERIES_QUEUE)


def attempt(message, transport, resolve=PUBLIC, *, when_due=True):
    """Handle a queued attempt, by default once its delay has passed (the stack's clock moved to its due time)."""
    due = datetime.fromisoformat(message.json["due_at"])
    if when_due and due > clock.now():
        clock.freeze(due)
    return handle_attempt_message(message.body, transport=transport, resolve=resolve)


def deliveries(api, account, endpoint_id):
    listed = api.get(f"/webhooks/{endpoint_id}/deliveries", token=account.token)
    assert listed.status == 200, listed.body
    return listed.body["deliveries"]


def test_an_event_reaches_each_enabled_subscribed_endpoint_signed(api):
    owner = sign_up_and_log_in(api)
    wanted = endpoint(api, owner, events=("call.completed", "run.started"))
    endpoint(api, owner, events=("run.started",))  # not subscribed to call.completed
    disabled = endpoint(api, owner)
    api.request("PUT", f"/webhooks/{disabled['id']}", json_body={"enabled": False}, token=owner.token)

    (first,) = published(owner.tenant_id, data={"call_id": "call_1", "outcome": "converted"})
    transport = ScriptedTransport([200])
    assert attempt(first, transport) == "delivered"

    (sent,) = transport.sent
    assert sent["destination"].addresses == (PUBLIC_ADDRESS,)  # the checked address is the one dialled
    assert Webhook(wanted["secret"]).verify(sent["body"], sent["headers"]) == {
        "type": "call.completed", "timestamp": json.loads(sent["body"])["timestamp"],
        "data": {"call_id": "call_1", "outcome": "converted"}}
    (row,) = deliveries(api, owner, wanted["id"])
    assert row["event_id"] == sent["headers"]["webhook-id"]
    assert (row["status"], row["attempts"], row["last_status_code"], row["next_attempt_at"]) == (
        "delivered", 1, 200, None)
    assert len(row["last_response_body"]) <= 1024  # the answer is stored truncated


def test_a_5xx_is_retried_with_backoff_under_the_same_webhook_id(api, settings):
    settings(WEBHOOK_RETRY_SCALE="0.05")
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    (first,) = published(owner.tenant_id)
    transport = ScriptedTransport([503, "timeout", 200])

    assert attempt(first, transport) == "retry_scheduled"
    (second,) = take(DELIVERIES_QUEUE)
    assert 1 <= second.delay_seconds <= 2  # 30 s × 0.05 ± 25 %: within seconds in the sandbox
    assert attempt(second, transport) == "retry_scheduled"
    (third,) = take(DELIVERIES_QUEUE)
    assert attempt(third, transport) == "delivered"

    ids = {sent["headers"]["webhook-id"] for sent in transport.sent}
    assert len(transport.sent) == 3 and len(ids) == 1
    (row,) = deliveries(api, owner, hook["id"])
    assert (row["status"], row["attempts"]) == ("delivered", 3)


def test_retry_after_of_a_429_is_honoured(api):
    owner = sign_up_and_log_in(api)
    endpoint(api, owner)
    (first,) = published(owner.tenant_id)

    attempt(first, ScriptedTransport([(429, "600")]))

    (retry,) = take(DELIVERIES_QUEUE)
    assert retry.delay_seconds == 600


def test_a_wait_longer_than_15_minutes_is_a_chain_of_delayed_messages(api):
    owner = sign_up_and_log_in(api)
    endpoint(api, owner)
    (first,) = published(owner.tenant_id)
    attempt(first, ScriptedTransport([(503, "7200")]))
    (hop,) = take(DELIVERIES_QUEUE)
    assert hop.delay_seconds == 900

    transport = ScriptedTransport()
    assert attempt(hop, transport, when_due=False) == "waiting"  # early: sent on towards its due time
    (next_hop,) = take(DELIVERIES_QUEUE)
    assert next_hop.delay_seconds == 900 and transport.sent == []
    clock.freeze(clock.now() + timedelta(hours=2))
    assert attempt(next_hop, transport) == "delivered"


def test_a_4xx_or_a_redirect_fails_at_once(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    (first,) = published(owner.tenant_id)

    assert attempt(first, ScriptedTransport([302])) == "failed"

    assert take(DELIVERIES_QUEUE) == []
    (row,) = deliveries(api, owner, hook["id"])
    assert (row["status"], row["last_status_code"]) == ("failed", 302)
    assert "redirects are not followed" in row["last_error"]


def test_a_redelivered_event_makes_no_second_delivery(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    publish_event(owner.tenant_id, "call.completed", {"call_id": "call_1"})
    (event,) = take(EVENTS_QUEUE)

    handle_event_message(event.body)
    (first,) = take(DELIVERIES_QUEUE)
    attempt(first, ScriptedTransport([200]))
    handle_event_message(event.body)  # SQS delivers the event again

    assert take(DELIVERIES_QUEUE) == []
    assert len(deliveries(api, owner, hook["id"])) == 1


def test_a_duplicated_attempt_message_sends_once(api):
    owner = sign_up_and_log_in(api)
    endpoint(api, owner)
    (first,) = published(owner.tenant_id)
    transport = ScriptedTransport([200, 200])

    assert attempt(first, transport) == "delivered"
    assert attempt(first, transport) == "stale"
    assert len(transport.sent) == 1


def test_dns_rebinding_to_a_private_address_is_refused_at_send(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)  # saved while hooks.example.com resolved to a public address
    (first,) = published(owner.tenant_id)
    transport = ScriptedTransport()

    outcome = attempt(first, transport, resolve=dns({"hooks.example.com": "10.0.0.5"}))

    assert outcome == "retry_scheduled" and transport.sent == []  # never dialled
    (row,) = deliveries(api, owner, hook["id"])
    assert "destination refused" in row["last_error"] and "10.0.0.5" in row["last_error"]


def test_a_manual_retry_supersedes_the_queued_one(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    (first,) = published(owner.tenant_id)
    attempt(first, ScriptedTransport([500]))
    (scheduled,) = take(DELIVERIES_QUEUE)
    (row,) = deliveries(api, owner, hook["id"])

    retried = api.post(f"/webhooks/{hook['id']}/deliveries/{row['id']}/retry", token=owner.token)

    assert retried.status == 202 and retried.body["delivery"]["status"] == "pending"
    (now,) = take(DELIVERIES_QUEUE)
    assert now.delay_seconds == 0
    transport = ScriptedTransport([200])
    assert attempt(scheduled, transport) == "stale"
    assert attempt(now, transport) == "delivered"
    assert len(transport.sent) == 1


def test_the_test_event_goes_to_that_endpoint_even_when_disabled(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner, events=("run.started",))
    api.request("PUT", f"/webhooks/{hook['id']}", json_body={"enabled": False}, token=owner.token)

    queued = api.post(f"/webhooks/{hook['id']}/test", token=owner.token)

    assert queued.status == 202 and queued.body["delivery"]["event_type"] == "webhook.test"
    (message,) = take(DELIVERIES_QUEUE)
    transport = ScriptedTransport([200])
    assert attempt(message, transport) == "delivered"
    assert json.loads(transport.sent[0]["body"])["type"] == "webhook.test"


def test_an_endpoint_failing_for_days_is_disabled_and_the_admins_are_emailed(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    start = clock.now()
    (first,) = published(owner.tenant_id)
    attempt(first, ScriptedTransport([500]))  # failing since now
    take(DELIVERIES_QUEUE)
    emails_before = len(sent_emails())

    clock.freeze(start + timedelta(days=5, minutes=1))
    (second,) = published(owner.tenant_id)
    assert attempt(second, ScriptedTransport([500])) == "retry_scheduled"

    view = api.get(f"/webhooks/{hook['id']}", token=owner.token).body
    assert view["enabled"] is False and "Every delivery failed since" in view["disabled_reason"]
    (notice,) = sent_emails()[emails_before:]
    assert notice.destinations["ToAddresses"] == [owner.email] and hook["id"] in notice.body
    (pending,) = take(DELIVERIES_QUEUE)
    assert attempt(pending, ScriptedTransport()) == "gave_up"  # its queued retry stops
    assert publish_event(owner.tenant_id, "call.completed", {"call_id": "call_2"})
    assert handle_event_message(take(EVENTS_QUEUE)[0].body) == 0  # nothing more is sent to it

    enabled = api.request("PUT", f"/webhooks/{hook['id']}", json_body={"enabled": True}, token=owner.token)
    assert (enabled.body["enabled"], enabled.body["failing_since"], enabled.body["disabled_reason"]) == (
        True, None, None)


def test_a_success_clears_the_failure_record(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    (first,) = published(owner.tenant_id)
    attempt(first, ScriptedTransport([500]))
    assert api.get(f"/webhooks/{hook['id']}", token=owner.token).body["failing_since"] is not None

    (retry,) = take(DELIVERIES_QUEUE)
    attempt(retry, ScriptedTransport([200]))

    assert api.get(f"/webhooks/{hook['id']}", token=owner.token).body["failing_since"] is None


def test_the_deliveries_list_pages_newest_first(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    for number in range(3):
        clock.freeze(clock.now() + timedelta(seconds=1))
        published(owner.tenant_id, data={"n": number})

    page = api.get(f"/webhooks/{hook['id']}/deliveries", query="limit=2", token=owner.token).body
    rest = api.get(f"/webhooks/{hook['id']}/deliveries", query=f"limit=2&cursor={page['next_cursor']}",
                   token=owner.token).body

    ids = [row["id"] for row in page["deliveries"] + rest["deliveries"]]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and rest["next_cursor"] is None
    forged = api.get(f"/webhooks/{hook['id']}/deliveries", query="cursor=Zm9v", token=owner.token)
    assert (forged.status, forged.body["code"]) == (400, "INVALID_CURSOR")


def test_a_new_url_clears_the_failure_record_of_the_old_one(api):
    owner = sign_up_and_log_in(api)
    hook = endpoint(api, owner)
    (first,) = published(owner.tenant_id)
    attempt(first, ScriptedTransport([500]))

    moved = api.request("PUT", f"/webhooks/{hook['id']}", json_body={"url": "https://hooks.example.com/v2"},
                        token=owner.token)

    assert moved.status == 200 and moved.body["failing_since"] is None
