"""The dialer's steps in-process: manifest, dial (checks, idempotency), the answered call streamed to the voice
plane over signed webhooks, status events (counters, billing, cool-down, retries, timeline), approvals decided
while the callee holds."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from shared.platform import clock
from shared.platform.settings import get_settings
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import CALLABLE_MOMENT, ready_workflow, sandbox_numbers

pytestmark = pytest.mark.integration


class Carrier:
    """Records placed calls instead of ringing anyone; signs webhooks like the sandbox carrier."""

    def __init__(self, monkeypatch) -> None:
        from shared.providers.telephony.calls import PlacedCall
        from shared.providers.telephony.sandbox_calls import SandboxCalls

        self.placed = []
        self.released: dict[str, dict] = {}
        self.throttle_next = False

        def place(carrier, call):
            from shared.providers.telephony.calls import CarrierThrottled

            if self.throttle_next:
                self.throttle_next = False
                raise CarrierThrottled(2.0)
            self.placed.append(call)
            return PlacedCall("sandbox", f"SB{len(self.placed):030d}")

        monkeypatch.setattr(SandboxCalls, "place_call", place)
        monkeypatch.setattr("shared.dialer.task_results.release",
                            lambda token, next_step: self.released.__setitem__(token, next_step))

    def post(self, api, url: str, params: dict[str, str], signature: str | None = None):
        from twilio.request_validator import RequestValidator

        token = get_settings().sandbox_carrier_auth_token.get_secret_value()
        path = url.removeprefix(get_settings().public_base_url)
        headers = {"content-type": "application/x-www-form-urlencoded",
                   "x-twilio-signature": signature or RequestValidator(token).compute_signature(url, params)}
        return api.request("POST", path, raw_body=urlencode(params).encode(), headers=headers)


@pytest.fixture
def carrier(api, monkeypatch):
    clock.freeze(CALLABLE_MOMENT)
    yield Carrier(monkeypatch)
    clock.freeze(None)


def _start(api, owner, phones, **fields):
    workflow = ready_workflow(api, owner, phones, **fields)
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    return workflow, run, step


def _dial_all(step, manifest_items, token_prefix="tok"):
    from shared.dialer.dial import run_step

    for item in manifest_items:
        clock.freeze(clock.now() + timedelta(seconds=1))  # the carrier's pace: one dial per slot
        run_step({"task_token": f"{token_prefix}-{item['phone']}", "step": {**step, "target": item, "attempt": 1}})


def _manifest(step):
    from shared.dialer.manifest import prepare
    from shared.platform.aws import client

    written = prepare(step)
    body = client("s3").get_object(Bucket=written["bucket"], Key=written["key"])["Body"].read()
    return written, json.loads(body)


def _drain_status_queue():
    from shared.dialer.call_events import handle_message
    from shared.platform.aws import client

    sqs, url = client("sqs"), get_settings().call_events_queue_url
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            handle_message(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _status(api, carrier, call, status, **extra):
    params = {"CallSid": "SBx", "CallStatus": status, **extra}
    reply = carrier.post(api, call.status_url, params)
    assert reply.status == 204, reply.body
    _drain_status_queue()


def _run_view(api, owner, workflow):
    return api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"][0]


def test_the_manifest_holds_every_callable_target_and_skips_the_dnc_list(api, carrier):
    owner = sign_up_and_log_in(api)
    phones = sandbox_numbers(3)
    workflow, _run, step = _start(api, owner, phones)
    api.post("/dnc/add", {"phone_e164": phones[1]}, token=owner.token)

    written, items = _manifest(step)

    assert [item["phone"] for item in items] == [phones[0], phones[2]] and written["count"] == 2
    assert written["max_concurrency"] >= 1
    view = _run_view(api, owner, workflow)
    assert view["skipped_dnc"] == 1 and view["targets_finished"] == 1 and view["targets_queued"] == 2


def test_dial_places_one_call_per_target_with_signed_webhook_urls_and_a_retry_never_dials_twice(api, carrier):
    owner = sign_up_and_log_in(api)
    workflow, _run, step = _start(api, owner, sandbox_numbers(2, first=8))
    _, items = _manifest(step)

    _dial_all(step, items)
    _dial_all(step, items, token_prefix="retried")  # Step Functions retrying the same attempt

    assert len(carrier.placed) == 2 and carrier.released == {}
    call = carrier.placed[0]
    assert call.voice_url.startswith(f"{get_settings().public_base_url}/telephony/sandbox/voice/{owner.tenant_id}/")
    assert call.sandbox_script["digit"] == "8" and call.time_limit_seconds > 0
    view = _run_view(api, owner, workflow)
    assert view["calls_placed"] == 2 and view["targets_dialed"] == 2


def test_outside_the_window_the_step_waits_and_a_paused_run_dials_nothing(api, carrier):
    owner = sign_up_and_log_in(api)
    workflow, _run, step = _start(api, owner, sandbox_numbers(1, first=8))
    _, items = _manifest(step)
    clock.freeze(CALLABLE_MOMENT.replace(hour=4))  # 23:00 in New York

    _dial_all(step, items, token_prefix="night")
    api.post(f"/workflows/{workflow['id']}/pause", token=owner.token)
    clock.freeze(CALLABLE_MOMENT)
    _dial_all(step, items, token_prefix="paused")

    assert carrier.placed == []
    night = carrier.released[f"night-{items[0]['phone']}"]
    assert night["next"] == "wait" and night["wait_seconds"] >= 1
    assert carrier.released[f"paused-{items[0]['phone']}"]["reason"] == "paused"


def test_a_number_put_on_the_dnc_list_after_upload_is_never_dialed(api, carrier):
    owner = sign_up_and_log_in(api)
    phones = sandbox_numbers(1, first=8)
    workflow, _run, step = _start(api, owner, phones)
    _, items = _manifest(step)
    api.post("/dnc/add", {"phone_e164": phones[0]}, token=owner.token)

    _dial_all(step, items)

    assert carrier.placed == [] and carrier.released[f"tok-{phones[0]}"]["next"] == "done"
    assert _run_view(api, owner, workflow)["skipped_dnc"] == 1


def test_a_carrier_429_waits_and_the_next_step_dials(api, carrier):
    owner = sign_up_and_log_in(api)
    _workflow, _run, step = _start(api, owner, sandbox_numbers(1, first=8))
    _, items = _manifest(step)
    carrier.throttle_next = True

    _dial_all(step, items, token_prefix="throttled")
    clock.freeze(clock.now() + timedelta(seconds=5))
    _dial_all(step, items, token_prefix="again")

    assert carrier.released[f"throttled-{items[0]['phone']}"]["wait_seconds"] == 2
    assert len(carrier.placed) == 1


def test_a_converting_call_end_to_end_bills_the_started_minutes_and_lands_on_the_timeline(api, carrier):
    from shared.calls import repository as calls

    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=8)[0]
    workflow, _run, step = _start(api, owner, [phone])
    _, items = _manifest(step)
    _dial_all(step, items)
    call = carrier.placed[0]
    balance_before = api.get("/billing/balance", token=owner.token).body["balance_minor"]

    _status(api, carrier, call, "ringing")
    streamed = carrier.post(api, call.voice_url, {"CallSid": "SBx", "CallStatus": "in-progress"})
    # The voice plane decides the outcome during the conversation and writes it on the call before the farewell.
    calls.update(owner.tenant_id, call.call_id, outcome="converted", answered_by="human")
    _status(api, carrier, call, "completed", CallDuration="75")

    assert streamed.status == 200 and "<Connect action=" in streamed.raw.decode() and "<Stream" in streamed.raw.decode()
    assert carrier.released[f"tok-{phone}"]["next"] == "done"
    view = _run_view(api, owner, workflow)
    assert view["targets_converted"] == 1 and view["targets_connected"] == 1 and view["minutes_billed"] == 2
    rate = api.get("/billing/balance", token=owner.token).body["rate_per_minute_minor"]
    assert api.get("/billing/balance", token=owner.token).body["balance_minor"] == balance_before - 2 * rate
    assert view["cost_minor"] == 2 * rate and view["targets_finished"] == 1
    events = api.get("/timeline", query=f"phone=%2B{phone[1:]}", token=owner.token).body["events"]
    assert events[0]["kind"] == "call" and events[0]["payload"]["outcome"] == "converted"
    assert api.get("/dnc/check", query=f"phone_e164=%2B{phone[1:]}", token=owner.token).body["in_cooldown"] is True


def test_an_approval_asked_during_a_call_is_decided_by_a_human_and_read_back_by_the_waiting_call(api, carrier):
    from shared.approvals import service as approvals

    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=4)[0]
    workflow, run, step = _start(api, owner, [phone])
    _, items = _manifest(step)
    _dial_all(step, items)
    call = carrier.placed[0]
    carrier.post(api, call.voice_url, {"CallSid": "SBx"})
    # The voice plane asks for the concession it may not grant, then polls the decision while the callee holds.
    asked = approvals.request_approval(
        owner.tenant_id, workflow_id=workflow["id"], run_id=run["run_id"], target_phone=phone,
        proposed_action="concession", proposed_value_minor=None, currency="USD", rationale="20% asked; 10% allowed",
        context={"kind": "discount", "percent": 20}, ttl_seconds=300, call_id=call.call_id)

    waiting = approvals.get_decision(owner.tenant_id, asked.id)
    pending = api.get("/approvals", query="status=pending", token=owner.token).body["approvals"]
    decided = api.post(f"/approvals/{asked.id}/decide", {"decision": "approve"}, token=owner.token)
    resumed = approvals.get_decision(owner.tenant_id, asked.id)

    assert waiting.status == "pending" and resumed.status == "approved"
    assert [(row["id"], row["call_id"], row["target_phone"]) for row in pending] == [(asked.id, call.call_id, phone)]
    assert decided.status == 200
    assert _run_view(api, owner, workflow)["concessions_decided"] == 1
    kinds = [event["kind"] for event in api.get("/timeline", query=f"phone=%2B{phone[1:]}",
                                                token=owner.token).body["events"]]
    assert "decision" in kinds


def test_busy_is_retried_by_the_rule_books_policy_then_given_up(api, carrier):
    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=1)[0]
    workflow, _run, step = _start(api, owner, [phone])
    _, items = _manifest(step)
    from shared.dialer.dial import run_step

    outcomes = []
    for attempt in (1, 2, 3):
        clock.freeze(clock.now() + timedelta(seconds=1))
        run_step({"task_token": f"a{attempt}", "step": {**step, "target": items[0], "attempt": attempt}})
        _status(api, carrier, carrier.placed[-1], "busy")
        outcomes.append(carrier.released[f"a{attempt}"])

    assert [outcome["next"] for outcome in outcomes] == ["wait", "wait", "done"]
    assert outcomes[0]["attempt"] == 2 and outcomes[0]["wait_seconds"] >= 1
    view = _run_view(api, owner, workflow)
    assert view["busy"] == 3 and view["calls_placed"] == 3 and view["targets_dialed"] == 1
    assert view["targets_finished"] == 1 and view["cost_minor"] == 0


def test_a_duplicate_status_callback_counts_once(api, carrier):
    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=6)[0]
    workflow, _run, step = _start(api, owner, [phone])
    _, items = _manifest(step)
    _dial_all(step, items)
    call = carrier.placed[0]

    _status(api, carrier, call, "no-answer")
    _status(api, carrier, call, "no-answer")

    assert _run_view(api, owner, workflow)["no_answer"] == 1


def test_a_webhook_with_a_bad_signature_is_a_403(api, carrier):
    owner = sign_up_and_log_in(api)
    _workflow, _run, step = _start(api, owner, sandbox_numbers(1, first=8))
    _, items = _manifest(step)
    _dial_all(step, items)
    call = carrier.placed[0]

    forged = carrier.post(api, call.voice_url, {"CallSid": "SBx"}, signature="forged")

    assert forged.status == 403 and forged.body["code"] == "INVALID_SIGNATURE"


def test_a_test_workflow_is_never_billed(api, carrier):
    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=8)[0]
    workflow, _run, step = _start(api, owner, [phone], is_test=True)
    _, items = _manifest(step)
    _dial_all(step, items)
    before = api.get("/billing/balance", token=owner.token).body
    carrier.post(api, carrier.placed[0].voice_url, {"CallSid": "SBx"})
    _status(api, carrier, carrier.placed[0], "completed", CallDuration="130")

    after = api.get("/billing/balance", token=owner.token).body
    from shared.billing import repository

    assert after["balance_minor"] == before["balance_minor"]
    assert repository.get_wallet(owner.tenant_id).reserved_minor == 0
    assert _run_view(api, owner, workflow)["cost_minor"] == 0
