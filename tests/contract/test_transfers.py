"""Warm transfers on the local stack (issue 13 §5), over HTTP: a sandbox campaign whose rule book names a transfer
number, and a callee who asks for a person, reaches the sandbox human with the whisper; the call shows its transfer
connected, billed and recorded, it is on the timeline, and `call.transferred` reaches the tenant's webhook receiver.
A transfer number ending in 0 rings out: the callee is back with the agent, who takes a message and asks for a
callback.

The callee: an audience row with `sandbox_behaviour: transfer` (issue 13 §6), the sandbox persona who asks "Can I
speak to a real person, please?". The numbers end in 6, whose own callee would decline at once: the column, not the
digit, makes them ask for a person.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shared.conversation.sandbox_callees import ASKS_FOR_PERSON
from tests.contract.helpers import run_to_the_end, sign_up_and_log_in
from tests.contract.test_dialer import CALLABLE_MOMENT, US_PROMPT
from tests.contract.test_webhooks import new_receiver, received, subscribe, wait_for

ANSWERED_PHONE, UNANSWERED_PHONE = "+14155550406", "+14155550416"
HUMAN, NOBODY = "+14155550123", "+14155550120"  # the sandbox human answers …3; …0 rings out
DEADLINE_SECONDS = 30


def _transferring_workflow(http, base_url, owner, phone: str, number: str) -> dict:
    """A sandbox campaign of one `transfer` callee whose rule book transfers to `number`."""
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": US_PROMPT}, headers=owner.auth).json()
    uploaded = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=owner.auth, json={
        "rows": [{"phone": phone, "name": "Riley", "sandbox_behaviour": "transfer"}]})
    assert uploaded.status_code == 200 and uploaded.json()["accepted"] == 1, uploaded.text
    attested = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance",
                        json={"consent_attestation_text": "Every contact opted in on our web form"}, headers=owner.auth)
    assert attested.status_code == 200, attested.text
    edited = http.put(f"{base_url}/api/workflows/{workflow['id']}", headers=owner.auth, json={"rule_book": {
        "transfer_policy": {"number": number, "ring_seconds": 15}}})
    assert edited.status_code == 200, edited.text
    return workflow


@pytest.fixture(scope="module")
def campaign(http, base_url) -> Iterator[dict]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    try:
        owner = sign_up_and_log_in(http, base_url, country="US")
        receiver = new_receiver(http, base_url)
        subscribe(http, base_url, owner, receiver, ["call.transferred"])
        answered = _transferring_workflow(http, base_url, owner, ANSWERED_PHONE, HUMAN)
        unanswered = _transferring_workflow(http, base_url, owner, UNANSWERED_PHONE, NOBODY)
        for workflow in (answered, unanswered):  # side by side: calls take real seconds
            started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
            assert started.status_code == 201, started.text
        for workflow in (answered, unanswered):
            run_to_the_end(http, base_url, owner, workflow["id"])
    finally:
        http.post(f"{base_url}/_sandbox/clock", json={"now": None})
    yield {"owner": owner, "receiver": receiver}


def _call(http, base_url, owner, phone: str, until=lambda detail: True) -> dict:
    (listed,) = http.get(f"{base_url}/api/calls", params={"phone": phone}, headers=owner.auth).json()["calls"]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        detail = http.get(f"{base_url}/api/calls/{listed['id']}", headers=owner.auth).json()
        if until(detail) or time.monotonic() > deadline:
            return detail
        time.sleep(0.5)


def test_the_rows_sandbox_behaviour_not_the_digit_makes_the_callee_ask_for_a_person(http, base_url, campaign):
    call = _call(http, base_url, campaign["owner"], ANSWERED_PHONE)

    (carried,) = [entry for entry in http.get(f"{base_url}/_sandbox/carrier/calls").json()
                  if entry["call_id"] == call["id"]]

    callee = [line["text"] for line in carried["transcript"] if line["speaker"] == "callee"]
    assert callee[:1] == [ASKS_FOR_PERSON], carried  # by its digit (6) it would have declined at once


def test_the_sandbox_human_hears_the_whisper_before_the_callee_is_connected(http, base_url, campaign):
    call = _call(http, base_url, campaign["owner"], ANSWERED_PHONE)

    heard = [entry for entry in http.get(f"{base_url}/_sandbox/transfers").json()["transfers"]
             if entry["call_id"] == call["id"]]

    assert len(heard) == 1 and heard[0]["to"] == HUMAN and heard[0]["answered"] is True
    whisper = heard[0]["whisper"]
    assert "…0406" in whisper and "asked to speak to a person" in whisper and whisper.endswith(".")
    assert call["transfer"]["whisper"] == whisper


def test_the_call_shows_its_transfer_connected_billed_and_recorded(http, base_url, campaign):
    owner = campaign["owner"]
    call = _call(http, base_url, owner, ANSWERED_PHONE,
                 until=lambda detail: (detail.get("transfer") or {}).get("recording_url") is not None)

    transfer = call["transfer"]
    assert (call["outcome"], transfer["status"], transfer["to_last4"]) == ("transferred", "connected", "0123")
    assert transfer["duration_seconds"] >= 1 and transfer["charged_minor"] == 12  # one started minute at $0.12
    assert transfer["recording_url"], "the transfer leg's recording"
    recording = http.get(transfer["recording_url"])
    assert recording.status_code == 200 and recording.content[:4] == b"RIFF"
    history = http.get(f"{base_url}/api/billing/history", headers=owner.auth).json()
    entries = next(value for value in history.values() if isinstance(value, list))
    assert any("Transfer of the call" in entry["description"] and entry["amount_minor"] == -12 for entry in entries)


def test_the_transfer_is_on_the_timeline(http, base_url, campaign):
    events = http.get(f"{base_url}/api/timeline", params={"phone": ANSWERED_PHONE},
                      headers=campaign["owner"].auth).json()["events"]

    (transfer,) = [event for event in events if event["kind"] == "transfer"]
    assert transfer["summary"].startswith("Transferred to a person (…0123")


def test_call_transferred_reaches_the_tenants_webhook_receiver(http, base_url, campaign):
    call = _call(http, base_url, campaign["owner"], ANSWERED_PHONE)

    events = wait_for(lambda: [event for event in received(http, base_url, campaign["receiver"])
                               if event["type"] == "call.transferred"], DEADLINE_SECONDS, "call.transferred")

    (event,) = events
    assert event["verified"] is True
    assert event["body"]["data"]["call_id"] == call["id"] and event["body"]["data"]["status"] == "connected"


def test_an_unanswered_transfer_takes_a_message_and_asks_for_a_callback(http, base_url, campaign):
    owner = campaign["owner"]
    call = _call(http, base_url, owner, UNANSWERED_PHONE,
                 until=lambda detail: (detail.get("transfer") or {}).get("message") is not None)

    assert (call["transfer"]["status"], call["transfer"]["charged_minor"]) == ("no_answer", 0)
    assert call["transfer"]["message"], "the callee's words after the apology"
    assert call["outcome"] == "callback"
    callbacks = http.get(f"{base_url}/api/approvals", headers=owner.auth).json()["approvals"]
    assert [approval["call_id"] for approval in callbacks if approval["proposed_action"] == "callback"] == [call["id"]]
    heard = [entry for entry in http.get(f"{base_url}/_sandbox/transfers").json()["transfers"]
             if entry["call_id"] == call["id"]]
    assert heard and heard[0]["answered"] is False and heard[0]["whisper"] == ""
