"""On the sandbox carrier, a callee holding for a decision hears the hold line once and then quiet (a short
reminder only every 25 s), although the carrier asks for the next step about every second locally; the
decision still reaches them on the next poll."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from shared.calls.conversation import HOLD_REMINDER_SECONDS, STILL_CHECKING
from tests.contract.helpers import sign_up_and_log_in

PROMPT = "Renewal reminders for our US customers, every day, offer up to 20% off, auto-approve 10%"
DISCOUNT_ASKER = "+14155550314"  # last digit 4: asks for a discount above the auto-approve limit
HOLD_SECONDS = 8  # several polls of the carrier (a 5 s <Pause> plays in 1 s locally), under one reminder


@pytest.fixture
def callable_clock(http: requests.Session, base_url: str) -> Iterator[None]:
    assert http.post(f"{base_url}/_sandbox/clock",
                     json={"advance_to_next_window_for": DISCOUNT_ASKER}).status_code == 200
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"nothing after {seconds} s")


def test_a_callee_on_hold_hears_one_line_then_quiet_and_the_decision_at_once(http, base_url, callable_clock):
    assert HOLD_SECONDS < HOLD_REMINDER_SECONDS
    owner = sign_up_and_log_in(http, base_url, country="US")
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT, "is_test": True},
                         headers=owner.auth).json()
    http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", json={"rows": [{"phone": DISCOUNT_ASKER}]},
              headers=owner.auth)
    http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", headers=owner.auth,
             json={"consent_attestation_text": "Every contact opted in on our web form"})
    assert http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth).status_code == 201
    approval = _wait_for(lambda: next(iter(http.get(f"{base_url}/api/approvals", params={"status": "pending"},
                                                    headers=owner.auth).json()["approvals"]), None), 60)

    time.sleep(HOLD_SECONDS)
    decided = http.post(f"{base_url}/api/approvals/{approval['id']}/decide", json={"decision": "approve"},
                        headers=owner.auth)
    assert decided.status_code == 200
    _wait_for(lambda: http.get(f"{base_url}/api/workflows/{workflow['id']}/runs",
                               headers=owner.auth).json()["runs"][0]["status"] != "running", 30)

    call = next(call for call in http.get(f"{base_url}/_sandbox/carrier/calls").json()
                if call["call_id"] == approval["call_id"])
    agent = [turn["text"] for turn in call["transcript"] if turn["speaker"] == "agent"]
    held_at = next(index for index, text in enumerate(agent) if "hold" in text.lower() or "check" in text.lower())
    assert STILL_CHECKING not in agent, agent  # quiet while holding: no line every poll
    assert any("Good news" in text for text in agent[held_at + 1:]), agent  # the decision, then the call goes on
