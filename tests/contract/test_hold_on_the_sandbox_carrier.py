"""On the sandbox carrier, a callee holding for a decision hears the hold line once and then quiet (a short reminder
only every 25 s), and the decision as soon as it is made: what the carrier played, as its media stream heard it.

The discount asker (last digit 4) asks above the auto-approve limit; the voice plane puts it on hold and polls the
approval once a second while it holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.contract.helpers import sign_up_and_log_in

PROMPT = "Renewal reminders for our US customers, every day, offer up to 20% off, auto-approve 10%"
DISCOUNT_ASKER = "+14155550314"  # last digit 4: asks for a discount above the auto-approve limit
HOLD_SECONDS = 8  # well under the 25 s between reminders
DECISION_HEARD_WITHIN_SECONDS = 3  # polled once a second, then spoken


@pytest.fixture
def callable_clock(http: requests.Session, base_url: str) -> Iterator[None]:
    assert http.post(f"{base_url}/_sandbox/clock",
                     json={"advance_to_next_window_for": DISCOUNT_ASKER}).status_code == 200
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} after {seconds} s")


def _agent_audio(http: requests.Session, base_url: str, call_id: str) -> list[dict]:
    call = next(call for call in http.get(f"{base_url}/_sandbox/carrier/calls").json() if call["call_id"] == call_id)
    return [line for line in call["transcript"] if line["speaker"] == "agent"]


def _quiet(http: requests.Session, base_url: str, call_id: str) -> list[dict]:
    """The agent's audio once a second has gone by without it changing (the hold line has been played whole)."""
    before = _agent_audio(http, base_url, call_id)
    while True:
        time.sleep(1)
        now = _agent_audio(http, base_url, call_id)
        if now == before:
            return now
        before = now


def test_a_callee_on_hold_hears_one_line_then_quiet_and_the_decision_at_once(http, base_url, callable_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT, "is_test": True},
                         headers=owner.auth).json()
    http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", json={"rows": [{"phone": DISCOUNT_ASKER}]},
              headers=owner.auth)
    http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", headers=owner.auth,
             json={"consent_attestation_text": "Every contact opted in on our web form"})
    assert http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth).status_code == 201
    approval = _wait_for(lambda: next(iter(http.get(f"{base_url}/api/approvals", params={"status": "pending"},
                                                    headers=owner.auth).json()["approvals"]), None), 90,
                         "no approval was asked for")
    # The opener, then the hold line: wait until the agent has gone quiet.
    _wait_for(lambda: len(_agent_audio(http, base_url, approval["call_id"])) >= 2, 15, "no hold line")
    on_hold = _quiet(http, base_url, approval["call_id"])

    time.sleep(HOLD_SECONDS)
    while_holding = _agent_audio(http, base_url, approval["call_id"])
    decided = http.post(f"{base_url}/api/approvals/{approval['id']}/decide", json={"decision": "approve"},
                        headers=owner.auth)
    decided_at = time.monotonic()
    _wait_for(lambda: len(_agent_audio(http, base_url, approval["call_id"])) > len(while_holding), 10,
              "the decision was never spoken")
    heard_after = time.monotonic() - decided_at
    run = _wait_for(lambda: (lambda run: run if run["status"] != "running" else None)(
        http.get(f"{base_url}/api/workflows/{workflow['id']}/runs", headers=owner.auth).json()["runs"][0]), 60,
        "the run never finished")

    assert decided.status_code == 200
    assert while_holding == on_hold, while_holding  # quiet while holding: no agent audio, no line every poll
    assert heard_after <= DECISION_HEARD_WITHIN_SECONDS
    assert run["targets_converted"] == 1 and run["concessions_decided"] == 1
    detail = http.get(f"{base_url}/api/calls/{approval['call_id']}", headers=owner.auth).json()
    agent_lines = [line["text"] for line in detail["transcript"] if line["speaker"] == "agent"]
    held_at = next(index for index, text in enumerate(agent_lines) if "hold" in text.lower())
    assert any("good news" in text.lower() for text in agent_lines[held_at:]), agent_lines
