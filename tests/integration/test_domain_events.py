"""The events the domains publish for the tenant's webhooks (issue 13 §1), each once and after its own change:
approvals requested and decided, runs started and completed, opt-outs, a low wallet, calls started and completed —
and a publish that cannot be sent never fails the request that made the change."""

from __future__ import annotations

import json

import pytest

from shared.approvals import service as approvals
from shared.billing import autocharge, reservations
from shared.compliance.service import add_for_tenant
from shared.dialer import call_events, runs
from shared.platform import clock
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import CALLABLE_MOMENT, ready_workflow, sandbox_numbers
from tests.integration.webhook_fixtures import (
    EVENTS_QUEUE,
    take,
    webhook_queues,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("webhook_queues")]


def events(event_type: str | None = None) -> list[dict]:
    published = [message.json for message in take(EVENTS_QUEUE)]
    return [event for event in published if event_type is None or event["type"] == event_type]


def test_an_approval_requested_then_decided_is_announced_twice(api):
    owner = sign_up_and_log_in(api)

    approval = approvals.request_approval(owner.tenant_id, workflow_id="wf_1", run_id="run_1",
                                          target_phone="+14155550100", proposed_action="concession",
                                          proposed_value_minor=500, currency="USD", rationale="Loyal", context={},
                                          call_id="call_1")
    (requested,) = events()
    decided = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    (decision,) = events()

    assert (requested["type"], requested["tenant_id"], requested["data"]["id"]) == (
        "approval.requested", owner.tenant_id, approval.id)
    assert requested["data"]["status"] == "pending" and requested["data"]["call_id"] == "call_1"
    assert decided.status == 200
    assert (decision["type"], decision["data"]["status"], decision["data"]["decided_by"]) == (
        "approval.decided", "approved", owner.user_id)


def test_a_refused_decision_announces_nothing(api):
    owner = sign_up_and_log_in(api)

    api.post("/approvals/apr_missing/decide", {"decision": "approve"}, token=owner.token)

    assert events() == []


def test_a_run_is_announced_when_it_starts_and_when_it_completes(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))
    take(EVENTS_QUEUE)

    started = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    (start,) = events("run.started")
    runs.finish({"tenant_id": owner.tenant_id, "workflow_id": workflow["id"], "run_id": started["run_id"],
                 "segment": 1})
    runs.finish({"tenant_id": owner.tenant_id, "workflow_id": workflow["id"], "run_id": started["run_id"],
                 "segment": 1})  # the state machine retrying its last step
    (end,) = events("run.completed")

    assert start["data"] | {"started_at": None} == {"run_id": started["run_id"], "workflow_id": workflow["id"],
                                                    "trigger": "api", "resumed": False, "is_test": False,
                                                    "targets_total": 2, "started_at": None}
    assert (end["data"]["run_id"], end["data"]["status"], end["data"]["targets_total"]) == (
        started["run_id"], "completed", 2)
    assert end["data"]["ended_at"]


def test_an_opt_out_from_a_call_or_the_api_is_announced_and_an_import_is_not(api):
    owner = sign_up_and_log_in(api)

    add_for_tenant(owner.tenant_id, "+14155550101", "Asked not to be called again, during a call", source="call",
                   actor="call:call_1")
    api.post("/dnc/add", {"phone_e164": "+14155550102", "reason": "emailed us"}, token=owner.token)
    api.post("/dnc/import", {"rows": [{"phone_e164": "+14155550103"}]}, token=owner.token)

    announced = events("contact.opted_out")
    assert [(event["data"]["phone_e164"], event["data"]["source"]) for event in announced] == [
        ("+14155550101", "call"), ("+14155550102", "api")]


def test_the_charge_that_crosses_the_threshold_announces_a_low_balance_once(api):
    tenant = sign_up_and_log_in(api).tenant_id  # $5.00 at 12¢ a minute: the default threshold is 10 minutes, $1.20
    for number, charge in enumerate((100, 300, 50)):  # 500 → 400 → 100 (crossed) → 50
        reservations.reserve(tenant, charge, f"res_{number}")
        reservations.settle(tenant, f"res_{number}", charge)

    (low,) = events("wallet.low_balance")
    assert (low["data"]["balance_minor"], low["data"]["threshold_minor"], low["data"]["currency"]) == (100, 120, "USD")
    assert low["data"]["minutes_remaining"] == 8


def test_the_autocharge_threshold_is_the_low_balance_threshold_when_set(api):
    tenant = sign_up_and_log_in(api).tenant_id
    autocharge.configure(tenant, False, 450, None)

    reservations.reserve(tenant, 60, "res_1")
    reservations.settle(tenant, "res_1", 60)

    (low,) = events("wallet.low_balance")
    assert (low["data"]["balance_minor"], low["data"]["threshold_minor"]) == (440, 450)


def test_a_call_is_announced_when_answered_and_when_it_ends_with_its_summary_and_outcome(api, monkeypatch):
    from shared.providers.telephony.calls import PlacedCall
    from shared.providers.telephony.sandbox_calls import SandboxCalls

    placed = []
    monkeypatch.setattr(SandboxCalls, "place_call", lambda carrier, call: placed.append(call) or PlacedCall(
        "sandbox", "SB0001"))
    monkeypatch.setattr("shared.dialer.task_results.release", lambda token, next_step: None)
    clock.freeze(CALLABLE_MOMENT)
    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=8)[0]
    workflow = ready_workflow(api, owner, [phone])
    run_id = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body["run_id"]
    from shared.dialer.dial import run_step

    step = {"tenant_id": owner.tenant_id, "run_id": run_id, "workflow_id": workflow["id"], "segment": 1}
    run_step({"task_token": "tok", "step": {**step, "target": {"phone": phone}, "attempt": 1}})
    call_id = placed[0].voice_url.rstrip("/").rsplit("/", 1)[-1]
    take(EVENTS_QUEUE)

    def status(value: str, **params: str) -> None:
        call_events.handle_message(json.dumps({"provider": "sandbox", "tenant_id": owner.tenant_id, "call_id": call_id,
                                               "params": {"CallSid": "SB0001", "CallStatus": value, **params}}))

    status("ringing")
    status("in-progress", AnsweredBy="human")
    status("in-progress")  # the carrier repeating itself: once per (call, status)
    status("completed", CallDuration="75")

    started, completed = events()
    assert (started["type"], started["data"]["call_id"], started["data"]["to"]) == ("call.started", call_id, phone)
    assert started["data"]["answered_at"]
    assert completed["type"] == "call.completed"
    assert {key: completed["data"][key] for key in ("call_id", "status", "outcome", "summary", "duration_seconds")} == {
        "call_id": call_id, "status": "completed", "outcome": "no_response", "summary": "Call: answered, no response",
        "duration_seconds": 75}
    assert "transcript" not in completed["data"]
    assert completed["data"]["cost_minor"] == 24  # two started minutes at 12¢


def test_a_publish_that_cannot_be_sent_never_fails_the_request(api, monkeypatch):
    owner = sign_up_and_log_in(api)
    monkeypatch.setenv("WEBHOOK_EVENTS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue")
    from shared.platform.settings import reset_settings

    reset_settings()

    added = api.post("/dnc/add", {"phone_e164": "+14155550104"}, token=owner.token)

    assert added.status == 200 and added.body["entry"]["phone_e164"] == "+14155550104"
