"""Callbacks on moto: an approved callback is scheduled (one EventBridge Scheduler one-time schedule), fires as ONE
call with `reason: callback`, is re-screened when it fires, and can be cancelled; a callback the callback policy
approves itself is scheduled when the call ends."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from shared.platform import clock
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import CALLABLE_MOMENT, ready_workflow, sandbox_numbers
from tests.integration.test_dialer_calls import Carrier, _drain_status_queue, _manifest, _status

pytestmark = pytest.mark.integration

CALLEE_SAID = "I'm in a meeting. Can you call me back tomorrow at 3pm?"
#: The sandbox numbers are San Francisco's (415): "tomorrow at 3pm" is Thursday 15:00 PST in the callee's zone.
TOMORROW_3PM = datetime.fromisoformat("2026-12-03T23:00:00+00:00")


@pytest.fixture
def carrier(api, monkeypatch):
    from shared.platform.aws import client
    from tests.integration.dialer_fixtures import ensure_dialer_aws

    ensure_dialer_aws()
    scheduler = client("scheduler")  # moto keeps schedules across tests while tenant ids start again at 1
    for summary in scheduler.list_schedules(GroupName="callbacks")["Schedules"]:
        scheduler.delete_schedule(GroupName="callbacks", Name=summary["Name"])
    clock.freeze(CALLABLE_MOMENT)
    yield Carrier(monkeypatch)
    clock.freeze(None)


def _campaign(api, owner, *, requires_approval: bool = True):
    """A run whose digit-7 callee was dialed and asked for a callback (the approval the voice plane requests)."""
    from shared.approvals.service import request_approval
    from shared.dialer.dial import run_step

    workflow = ready_workflow(api, owner, sandbox_numbers(1, first=7))
    edited = api.request("PUT", f"/workflows/{workflow['id']}", token=owner.token, json_body={"rule_book": {
        "callback_policy": {"allowed": True, "max_days_ahead": 7, "requires_approval": requires_approval}}})
    assert edited.status == 200, edited.body
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    _, items = _manifest(step)
    run_step({"task_token": "tok-first", "step": {**step, "target": items[0], "attempt": 1}})
    from shared.calls import repository as calls
    from shared.dialer.dial import call_id_for

    origin = calls.get(owner.tenant_id, call_id_for(run["run_id"], items[0]["phone"], 1))
    approval = request_approval(
        owner.tenant_id, workflow_id=workflow["id"], run_id=run["run_id"], target_phone=origin.target_phone,
        proposed_action="callback", proposed_value_minor=None, currency="USD",
        rationale="The callee asked to be called back tomorrow.", context={"when_text": "tomorrow",
                                                                           "callee_said": CALLEE_SAID},
        ttl_seconds=3600, call_id=origin.id, approved_by_policy=None if requires_approval else "callback_policy")
    return workflow, run, origin, approval


def _schedules(owner) -> list[dict]:
    """The workspace's callback schedules (moto keeps every test's)."""
    from shared.platform.aws import client

    scheduler = client("scheduler")
    return [scheduler.get_schedule(GroupName="callbacks", Name=summary["Name"])
            for summary in scheduler.list_schedules(GroupName="callbacks")["Schedules"]
            if summary["Name"].startswith(f"cbk-{owner.tenant_id}-")]


def _fire(schedule: dict) -> dict:
    from shared.dialer.callback_calls import place_due

    return place_due(json.loads(schedule["Target"]["Input"]))


def _only_callback(api, owner) -> dict:
    listed = api.get("/callbacks", token=owner.token)
    assert listed.status == 200, listed.body
    (callback,) = listed.body["callbacks"]
    return callback


def test_an_approved_callback_is_scheduled_once_at_the_callees_time(api, carrier):
    # Given a callee who asked to be called back "tomorrow at 3pm", and a human who approves it
    owner = sign_up_and_log_in(api)
    workflow, run, origin, approval = _campaign(api, owner)

    decided = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)

    # Then one callback is scheduled for Thursday 15:00 in the callee's zone, with one one-time schedule
    assert decided.status == 200, decided.body
    callback = _only_callback(api, owner)
    assert callback["status"] == "scheduled" and callback["due_at"] == "2026-12-03T23:00:00Z"
    assert callback["requested_text"] == "tomorrow at 3pm"
    assert (callback["origin_call_id"], callback["approval_id"], callback["call_id"]) == (origin.id, approval.id, None)
    assert (callback["workflow_id"], callback["run_id"]) == (workflow["id"], run["run_id"])
    (schedule,) = _schedules(owner)
    assert schedule["ScheduleExpression"] == "at(2026-12-03T23:00:00)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert json.loads(schedule["Target"]["Input"]) == {"tenant_id": owner.tenant_id, "callback_id": callback["id"]}
    timeline = api.get("/timeline", query=f"phone=%2B{origin.target_phone[1:]}", token=owner.token).body["events"]
    assert any(event["kind"] == "callback" and event["summary"].startswith("Callback scheduled for")
               for event in timeline)


def test_a_denied_callback_schedules_nothing(api, carrier):
    owner = sign_up_and_log_in(api)
    _campaign_ = _campaign(api, owner)

    api.post(f"/approvals/{_campaign_[3].id}/decide", {"decision": "deny"}, token=owner.token)

    assert api.get("/callbacks", token=owner.token).body["callbacks"] == [] and _schedules(owner) == []


def test_when_it_fires_one_call_is_placed_with_reason_callback_and_billed_like_any_call(api, carrier):
    # Given an approved callback
    owner = sign_up_and_log_in(api)
    workflow, _run, origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    (schedule,) = _schedules(owner)
    placed_before = len(carrier.placed)

    # When its schedule fires at the due moment (twice: a redelivered invocation)
    clock.freeze(TOMORROW_3PM)
    first = _fire(schedule)
    again = _fire(schedule)

    # Then exactly one call is placed, to the same number, as a callback, with the sandbox's converting callee
    assert first["result"] == "placed" and again["result"] == "placed"
    assert len(carrier.placed) == placed_before + 1
    outbound = carrier.placed[-1]
    assert outbound.to_e164 == origin.target_phone and outbound.sandbox_script["digit"] == "8"
    callback = _only_callback(api, owner)
    assert callback["status"] == "placed" and callback["call_id"] == outbound.call_id
    listed = api.get("/calls", query="reason=callback", token=owner.token).body["calls"]
    assert [(call["id"], call["reason"]) for call in listed] == [(outbound.call_id, "callback")]
    detail = api.get(f"/calls/{outbound.call_id}", token=owner.token).body
    assert detail["reason"] == "callback" and detail["callback_id"] == callback["id"]
    all_calls = {call["id"]: call["reason"] for call in api.get("/calls", token=owner.token).body["calls"]}
    assert all_calls == {origin.id: "campaign", outbound.call_id: "callback"}

    # And the voice plane's agent is told why it calls: the callee's words, and how the earlier call went
    from shared.calls import repository as calls
    from shared.calls.media_tokens import MediaStreamGrant
    from voice.call_context import MediaStream, load_call_context

    calls.update(owner.tenant_id, origin.id, transcript=[{"speaker": "callee", "text": CALLEE_SAID}])
    context = load_call_context(MediaStreamGrant(owner.tenant_id, outbound.call_id, TOMORROW_3PM),
                                MediaStream(stream_sid="MZ1", carrier_call_sid="SB1"))
    assert context.callback is not None and context.callback.requested_text == "tomorrow at 3pm"
    assert context.callback.previous_lines == [("callee", CALLEE_SAID)]
    assert "When we last spoke, you asked us to call you back" in context.rule_book.opener
    assert "CALLBACK THE CALLEE ASKED FOR" in context.rule_book.system_prompt

    # And when it completes, it is billed and counted on its run, and no dialer step is released for it
    call = calls.get(owner.tenant_id, outbound.call_id)
    assert call.task_token is None and call.reservation_id is not None
    _status(api, carrier, outbound, "in-progress")
    calls.update(owner.tenant_id, call.id, outcome="converted")
    _status(api, carrier, outbound, "completed", CallDuration="75")
    closed = calls.get(owner.tenant_id, call.id)
    assert closed.charged_minor > 0 and closed.outcome == "converted"
    assert outbound.call_id not in {token for token in carrier.released}
    view = api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"][0]
    assert view["calls_placed"] == 2 and view["targets_converted"] == 1 and view["minutes_billed"] == 2


@pytest.mark.parametrize("blocked", ["dnc", "paused", "retired", "erased"])
def test_a_due_callback_is_screened_again_and_skipped_with_why(api, carrier, blocked):
    owner = sign_up_and_log_in(api)
    workflow, _run, origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    (schedule,) = _schedules(owner)
    placed_before = len(carrier.placed)
    if blocked == "dnc":
        api.post("/dnc/add", {"phone_e164": origin.target_phone}, token=owner.token)
    elif blocked == "paused":
        assert api.post(f"/workflows/{workflow['id']}/pause", token=owner.token).status == 200
    elif blocked == "retired":
        from shared.dialer.runs import finish

        finish({"tenant_id": owner.tenant_id, "workflow_id": workflow["id"], "run_id": _run["run_id"], "segment": 1})
        assert api.post(f"/workflows/{workflow['id']}/retire", token=owner.token).status == 200
    else:
        from shared.compliance import repository as dnc
        from shared.platform.pseudonyms import contact_hash

        # As a DSR erase leaves the number (its callbacks then read cancelled; this one was made after)
        dnc.keep_blocked_under_hash(owner.tenant_id, contact_hash("phone", origin.target_phone), entry=None,
                                    erased_at=clock.now())

    clock.freeze(TOMORROW_3PM)
    result = _fire(schedule)

    assert result == {"result": "skipped", "skip_reason": blocked}
    assert len(carrier.placed) == placed_before
    callback = _only_callback(api, owner)
    assert (callback["status"], callback["skip_reason"], callback["call_id"]) == ("skipped", blocked, None)


def test_a_callback_that_fires_outside_the_legal_window_moves_to_the_next_legal_moment(api, carrier):
    owner = sign_up_and_log_in(api)
    _workflow, _run, _origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    (schedule,) = _schedules(owner)
    placed_before = len(carrier.placed)

    # When the schedule only fires late, at 22:30 in San Francisco (after the TCPA's 21:00)
    clock.freeze(datetime.fromisoformat("2026-12-04T06:30:00+00:00"))
    result = _fire(schedule)

    # Then nothing is dialed; the callback is moved to 09:00 there the next morning (the rule book's window opens
    # at 9am in the recipient's time) and armed again
    assert result["result"] == "rescheduled" and len(carrier.placed) == placed_before
    callback = _only_callback(api, owner)
    assert callback["status"] == "scheduled" and callback["due_at"] == "2026-12-04T17:00:00Z"
    assert "at(2026-12-04T17:00:00)" in {entry["ScheduleExpression"] for entry in _schedules(owner)}


def test_cancel_deletes_the_schedule_and_a_second_cancel_is_a_conflict(api, carrier):
    owner = sign_up_and_log_in(api)
    _workflow, _run, _origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    callback = _only_callback(api, owner)
    (schedule,) = _schedules(owner)

    cancelled = api.request("DELETE", f"/callbacks/{callback['id']}", token=owner.token)
    again = api.request("DELETE", f"/callbacks/{callback['id']}", token=owner.token)

    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled" and cancelled.body["cancelled_at"]
    assert again.status == 409 and again.body["code"] == "CALLBACK_NOT_CANCELLABLE"
    assert _schedules(owner) == []
    clock.freeze(TOMORROW_3PM)
    assert _fire(schedule) == {"result": "cancelled"}


def test_another_workspaces_callback_is_not_found(api, carrier):
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    _workflow, _run, _origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    callback = _only_callback(api, owner)

    seen = api.get(f"/callbacks/{callback['id']}", token=stranger.token)
    cancelled = api.request("DELETE", f"/callbacks/{callback['id']}", token=stranger.token)

    assert seen.status == 404 and cancelled.status == 404
    assert api.get(f"/callbacks/{callback['id']}", token=owner.token).body["status"] == "scheduled"


def test_without_required_approval_the_callback_is_scheduled_when_the_call_ends(api, carrier):
    # Given a rule book whose callback policy needs no human: the approval is recorded approved by the policy
    owner = sign_up_and_log_in(api)
    _workflow, _run, origin, approval = _campaign(api, owner, requires_approval=False)
    assert approval.status == "approved" and approval.decided_by == "policy:callback_policy"
    assert api.get("/callbacks", token=owner.token).body["callbacks"] == []

    # When the call ends with the callback outcome (the voice plane recorded it with the approval's id)
    from shared.calls import repository as calls

    calls.update(owner.tenant_id, origin.id, outcome="callback", approval_ids=[approval.id], answered_by="human")
    outbound = next(call for call in carrier.placed if call.call_id == origin.id)
    _status(api, carrier, outbound, "completed", CallDuration="20")
    _drain_status_queue()

    # Then its callback is scheduled, and the approval list shows who approved it
    callback = _only_callback(api, owner)
    assert callback["status"] == "scheduled" and callback["approval_id"] == approval.id
    assert callback["due_at"] == "2026-12-03T23:00:00Z" and len(_schedules(owner)) == 1
    listed = api.get("/approvals", query="status=approved", token=owner.token).body["approvals"]
    assert [entry["decided_by"] for entry in listed] == ["policy:callback_policy"]


def test_a_dsr_erase_cancels_the_contacts_scheduled_callback_and_deletes_its_schedule(api, carrier):
    owner = sign_up_and_log_in(api)
    _workflow, _run, origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)
    exported = api.post("/dsr/export", {"contact_identifier": origin.target_phone}, token=owner.token)
    assert exported.status == 200, exported.body
    assert [entry["status"] for entry in exported.body["callbacks"]] == ["scheduled"]

    erased = api.post("/dsr/erase", {"contact_identifier": origin.target_phone}, token=owner.token)

    assert erased.status == 200, erased.body
    callback = _only_callback(api, owner)
    assert callback["status"] == "cancelled" and callback["skip_reason"] == "erased"
    assert callback["target_phone"] != origin.target_phone and callback["requested_text"] == "[erased]"
    assert _schedules(owner) == []


def test_list_filters_by_status_and_workflow(api, carrier):
    owner = sign_up_and_log_in(api)
    workflow, _run, _origin, approval = _campaign(api, owner)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)

    assert len(api.get("/callbacks", query="status=scheduled", token=owner.token).body["callbacks"]) == 1
    assert api.get("/callbacks", query="status=placed", token=owner.token).body["callbacks"] == []
    assert len(api.get("/callbacks", query=f"workflow_id={workflow['id']}", token=owner.token).body["callbacks"]) == 1
    assert api.get("/callbacks", query="workflow_id=wf_other", token=owner.token).body["callbacks"] == []
    bad = api.get("/callbacks", query="status=nope", token=owner.token)
    assert bad.status in (400, 422) and bad.body["field"] == "status"


def test_a_callback_the_scheduler_refuses_is_shown_skipped_not_scheduled(api, carrier, monkeypatch):
    # Given a scheduler that refuses the schedule (after the SDK's own retries)
    from shared.callbacks import service as callbacks
    from shared.providers.orchestration.port import OrchestrationUnavailable

    class RefusingScheduler:
        def put_schedule(self, schedule):
            raise OrchestrationUnavailable("Scheduler: AccessDenied")

    monkeypatch.setattr(callbacks, "get_orchestrator", lambda: RefusingScheduler())
    owner = sign_up_and_log_in(api)
    _workflow, _run, origin, approval = _campaign(api, owner)

    decided = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=owner.token)

    # Then the approval stands, but the callback never pretends to be booked: skipped, with why, on the timeline
    assert decided.status == 200, decided.body
    callback = _only_callback(api, owner)
    assert (callback["status"], callback["skip_reason"]) == ("skipped", "not_scheduled")
    assert _schedules(owner) == []
    timeline = api.get("/timeline", query=f"phone=%2B{origin.target_phone[1:]}", token=owner.token).body["events"]
    assert any(event["summary"] == "Callback skipped: not_scheduled" for event in timeline)
