"""Callbacks over HTTP on the local stack: a sandbox campaign whose digit-7 callees ask to be called back tomorrow;
a human approves; the sandbox clock is moved to the due moment and the stack's schedule ticker fires the callback,
which places one real sandbox call (the voice plane, the `convert` callee) with `reason: "callback"`; another
callback is cancelled before it fires and never calls."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.contract.helpers import assert_error, sign_up_and_log_in

US_PROMPT = ("Renewal reminders for our US customers, 9am-8pm Eastern time every day, offer up to 20% off, "
             "auto-approve 10%")
CALLABLE_MOMENT = "2026-12-02T15:00:00-05:00"  # a Wednesday afternoon in New York
#: The callees are San Francisco numbers: "tomorrow" is Thursday 10:00 PST.
DUE = "2026-12-03T18:00:00Z"
AFTER_DUE = "2026-12-03T18:00:30+00:00"
PHONES = ["+14155550017", "+14155550027"]  # both say "Can you call me back tomorrow?"
DEADLINE_SECONDS = 120


def _wait_for(check, what: str, seconds: float = DEADLINE_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def campaign(http: requests.Session, base_url: str) -> Iterator[dict[str, Any]]:
    """The campaign run to its end with the callback approvals approved; the clock is put back afterwards."""
    assert http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT}).status_code == 200
    try:
        owner = sign_up_and_log_in(http, base_url, country="US")
        workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": US_PROMPT}, headers=owner.auth).json()
        edited = http.put(f"{base_url}/api/workflows/{workflow['id']}", headers=owner.auth, json={"rule_book": {
            "callback_policy": {"allowed": True, "max_days_ahead": 7, "requires_approval": True}}})
        assert edited.status_code == 200, edited.text
        uploaded = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience",
                             json={"rows": [{"phone": phone} for phone in PHONES]}, headers=owner.auth)
        assert uploaded.status_code == 200, uploaded.text
        attested = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", headers=owner.auth,
                            json={"consent_attestation_text": "Every contact opted in on our web form"})
        assert attested.status_code == 200, attested.text
        started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
        assert started.status_code == 201, started.text

        def pending_callbacks() -> list[dict]:
            approvals = http.get(f"{base_url}/api/approvals", params={"status": "pending"},
                                 headers=owner.auth).json()["approvals"]
            found = [item for item in approvals if item["proposed_action"] == "callback"]
            return found if len(found) == len(PHONES) else []

        approvals = _wait_for(pending_callbacks, "both callees to ask for a callback")
        for approval in approvals:
            decided = http.post(f"{base_url}/api/approvals/{approval['id']}/decide", headers=owner.auth,
                                json={"decision": "approve", "note": "call them back"})
            assert decided.status_code == 200, decided.text
        yield {"owner": owner, "workflow": workflow, "approvals": approvals}
    finally:
        http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _callbacks(http, base_url, owner, **params) -> list[dict]:
    listed = http.get(f"{base_url}/api/callbacks", params=params, headers=owner.auth)
    assert listed.status_code == 200, listed.text
    return listed.json()["callbacks"]


def _by_phone(callbacks: list[dict]) -> dict[str, dict]:
    return {callback["target_phone"]: callback for callback in callbacks}


def test_an_approved_callback_is_scheduled_for_the_callees_time(http, base_url, campaign) -> None:
    owner, workflow = campaign["owner"], campaign["workflow"]

    callbacks = _by_phone(_callbacks(http, base_url, owner, workflow_id=workflow["id"]))

    assert set(callbacks) == set(PHONES)
    for phone, callback in callbacks.items():
        assert callback["status"] in ("scheduled", "placed", "cancelled"), callback
        assert callback["due_at"] == DUE and callback["requested_text"] == "tomorrow", callback
        assert callback["approval_id"] in {approval["id"] for approval in campaign["approvals"]}
        assert callback["origin_call_id"] and callback["workflow_id"] == workflow["id"], phone
        one = http.get(f"{base_url}/api/callbacks/{callback['id']}", headers=owner.auth)
        assert one.status_code == 200 and one.json()["id"] == callback["id"]


def test_a_cancelled_callback_never_calls_and_cannot_be_cancelled_twice(http, base_url, campaign) -> None:
    owner = campaign["owner"]
    callback = _by_phone(_callbacks(http, base_url, owner))[PHONES[1]]

    cancelled = http.delete(f"{base_url}/api/callbacks/{callback['id']}", headers=owner.auth)
    again = http.delete(f"{base_url}/api/callbacks/{callback['id']}", headers=owner.auth)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_at"]
    assert_error(again, 409, "CALLBACK_NOT_CANCELLABLE")
    stranger = sign_up_and_log_in(http, base_url, country="US")
    assert_error(http.delete(f"{base_url}/api/callbacks/{callback['id']}", headers=stranger.auth), 404, "NOT_FOUND")


def test_when_the_clock_reaches_it_the_callback_call_is_placed_and_completes(http, base_url, campaign) -> None:
    owner = campaign["owner"]
    callback = _by_phone(_callbacks(http, base_url, owner))[PHONES[0]]
    assert callback["status"] == "scheduled"

    # When the sandbox clock passes the due moment (the stack's schedule ticker follows it)
    assert http.post(f"{base_url}/_sandbox/clock", json={"now": AFTER_DUE}).status_code == 200

    # Then one call is placed with reason "callback", and it completes: the converting callee
    def completed_callback_call() -> dict | None:
        calls = http.get(f"{base_url}/api/calls", params={"reason": "callback"}, headers=owner.auth).json()["calls"]
        return calls[0] if calls and calls[0]["status"] == "completed" else None

    call = _wait_for(completed_callback_call, "the callback call to complete")
    assert call["reason"] == "callback" and call["to"] == PHONES[0] and call["outcome"] == "converted", call
    detail = http.get(f"{base_url}/api/calls/{call['id']}", headers=owner.auth).json()
    assert detail["callback_id"] == callback["id"]
    opener = detail["transcript"][0]["text"]
    assert "When we last spoke, you asked us to call you back" in opener, opener
    placed = http.get(f"{base_url}/api/callbacks/{callback['id']}", headers=owner.auth).json()
    assert placed["status"] == "placed" and placed["call_id"] == call["id"]
    campaign_calls = http.get(f"{base_url}/api/calls", params={"reason": "campaign"}, headers=owner.auth).json()
    assert {entry["reason"] for entry in campaign_calls["calls"]} == {"campaign"} and len(campaign_calls["calls"]) == 2

    # And the timeline shows the callback scheduled and placed, and the call itself
    events = http.get(f"{base_url}/api/timeline", params={"phone": PHONES[0]}, headers=owner.auth).json()["events"]
    summaries = [(event["kind"], event["summary"]) for event in events]
    assert ("callback", "Callback placed") in summaries, summaries
    assert any(kind == "callback" and summary.startswith("Callback scheduled for") for kind, summary in summaries)
    assert ("call", "Call: converted") in summaries, summaries

    # And the cancelled one never called
    cancelled = _by_phone(_callbacks(http, base_url, owner))[PHONES[1]]
    assert cancelled["status"] == "cancelled" and cancelled["call_id"] is None
    cancelled_events = http.get(f"{base_url}/api/timeline", params={"phone": PHONES[1]},
                                headers=owner.auth).json()["events"]
    assert ("callback", "Callback cancelled") in [(event["kind"], event["summary"]) for event in cancelled_events]
