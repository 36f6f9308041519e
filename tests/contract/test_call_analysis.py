"""Post-call analysis over HTTP (issue 13 §2): a sandbox campaign's connected calls each show their `analysis` in
`GET /api/calls/{id}` once the call-analysis consumer has read them (the offline composer: no Anthropic key), and
each is sent, signed, as `call.analyzed` to the tenant's webhook endpoint.

Callees by last digit (README): 8 converts at once, 7 asks to be called back tomorrow.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.contract.helpers import run_to_the_end, sign_up_and_log_in
from tests.contract.test_dialer import CALLABLE_MOMENT, _ready_workflow
from tests.contract.test_webhooks import new_receiver, received, subscribe, wait_for

PHONES = ["+14155550308", "+14155550307"]
ANALYSIS_DEADLINE_SECONDS = 30


@pytest.fixture(scope="module")
def campaign(http, base_url) -> Iterator[dict]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    try:
        owner = sign_up_and_log_in(http, base_url, country="US")
        receiver = new_receiver(http, base_url)
        subscribe(http, base_url, owner, receiver, ["call.analyzed"])
        workflow = _ready_workflow(http, base_url, owner, PHONES)
        started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
        assert started.status_code == 201, started.text
        run_to_the_end(http, base_url, owner, workflow["id"])
    finally:
        http.post(f"{base_url}/_sandbox/clock", json={"now": None})
    yield {"owner": owner, "workflow": workflow, "receiver": receiver}


def _analysis_of(http, base_url, owner, phone: str) -> dict:
    """The call's analysis, waited for: the consumer reads the call once both ends of it are written."""
    (call,) = http.get(f"{base_url}/api/calls", params={"phone": phone}, headers=owner.auth).json()["calls"]
    deadline = time.monotonic() + ANALYSIS_DEADLINE_SECONDS
    while True:
        detail = http.get(f"{base_url}/api/calls/{call['id']}", headers=owner.auth)
        assert detail.status_code == 200, detail.text
        if detail.json()["analysis"] is not None or time.monotonic() > deadline:
            return detail.json()["analysis"]
        time.sleep(0.5)


def test_a_converted_call_shows_its_analysis(http, base_url, campaign):
    analysis = _analysis_of(http, base_url, campaign["owner"], PHONES[0])

    assert analysis is not None, "no analysis within the deadline"
    assert (analysis["generator"], analysis["model"]) == ("offline-composer", None)
    fields = analysis["fields"]
    assert fields["summary"].startswith("The contact agreed to go ahead.")
    assert (fields["sentiment"], fields["interested"], fields["callback_requested_at"]) == ("positive", True, None)
    assert fields["next_step"] == "Follow up to complete what the contact agreed to."


def test_a_callback_request_shows_when_the_callee_asked_for(http, base_url, campaign):
    analysis = _analysis_of(http, base_url, campaign["owner"], PHONES[1])

    assert analysis is not None, "no analysis within the deadline"
    fields = analysis["fields"]
    assert fields["summary"].startswith("The contact asked to be called back tomorrow.")
    assert fields["callback_requested_at"].startswith("2026-12-03T10:00:00")
    assert fields["next_step"] == "Call the contact back tomorrow."


def test_each_analysis_is_sent_signed_as_call_analyzed(http, base_url, campaign):
    owner = campaign["owner"]
    shown = {phone: _analysis_of(http, base_url, owner, phone) for phone in PHONES}

    def both() -> list[dict] | None:
        got = received(http, base_url, campaign["receiver"])
        return got if len(got) >= len(PHONES) else None

    events = wait_for(both, 20, "a call.analyzed event for each call")

    assert all(event["verified"] and event["answered"] == 200 for event in events)
    assert sorted((event["type"], event["body"]["data"]["to"]) for event in events) == [
        ("call.analyzed", phone) for phone in sorted(PHONES)]
    assert {event["body"]["data"]["to"]: event["body"]["data"]["analysis"] for event in events} == {
        phone: analysis["fields"] for phone, analysis in shown.items()}
