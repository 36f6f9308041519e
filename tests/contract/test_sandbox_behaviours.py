"""The `sandbox_behaviour` audience column through the local stack (issue 13 §6): the README's rehearsal CSV
(docs/rehearse_every_path.csv) uploaded as a file, run as a sandbox campaign, and every call ends the way its row
named — although by their last digits (6, and 8 for the not-interested row) the callees would have declined or
converted at once. The rule book names a transfer number (a sandbox human who answers), so the transfer row's callee
is connected to that person, who hears the whisper first (tests/contract/test_transfers.py goes through the rest of a
transfer). Calls take real seconds: the campaign runs once and the tests read it.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.conversation.sandbox_callees import YES
from tests.contract.helpers import assert_error, run_to_the_end, sign_up_and_log_in
from tests.contract.test_dialer import CALLABLE_MOMENT, US_PROMPT, _call_details

REHEARSAL_CSV = Path(__file__).resolve().parents[2] / "docs" / "rehearse_every_path.csv"
#: ~90 s on an idle 2-core machine; the calls are real-time streams, so a loaded machine stretches them.
#: Seconds for a transfer's leg to settle once its call shows up final (the dial's result and the call's end race).
TRANSFER_SETTLE_SECONDS = 30
HUMAN = "+14155550123"  # a sandbox human who answers (…0 would ring out, …1 be busy)
ATTESTATION = {"consent_attestation_text": "Every contact opted in on our web form"}
#: (status, outcome) of each call to a row, attempts included (busy and no answer are tried three times, a machine
#: twice, by the rule book's retry policy).
EXPECTED_CALLS = {
    "convert": [("completed", "converted")],
    "optout": [("completed", "opted_out")],
    "discount": [("completed", "converted")],
    "callback": [("completed", "callback")],
    "transfer": [("completed", "transferred")],
    "voicemail": [("completed", "voicemail")] * 2,
    "busy": [("busy", "busy")] * 3,
    "no_answer": [("no-answer", "no_answer")] * 3,
    "objection": [("completed", "converted")],
    "not_interested": [("completed", "not_interested")],
}


def _rehearsal() -> tuple[bytes, dict[str, str]]:
    """The CSV's bytes as a user uploads them, and each phone's behaviour."""
    text = REHEARSAL_CSV.read_bytes()
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert sorted(row["sandbox_behaviour"] for row in rows) == sorted(EXPECTED_CALLS)
    return text, {row["phone"]: row["sandbox_behaviour"] for row in rows}


@pytest.fixture(scope="module")
def rehearsal(http, base_url) -> Iterator[dict[str, Any]]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    try:
        owner = sign_up_and_log_in(http, base_url, country="US")
        workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": US_PROMPT}, headers=owner.auth).json()
        transfers_to = http.put(f"{base_url}/api/workflows/{workflow['id']}", headers=owner.auth,
                                json={"rule_book": {"transfer_policy": {"number": HUMAN}}})
        assert transfers_to.status_code == 200, transfers_to.text
        csv_file, behaviours = _rehearsal()
        uploaded = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=owner.auth,
                             files={"file": ("rehearse_every_path.csv", csv_file, "text/csv")})
        assert uploaded.status_code == 200 and uploaded.json()["accepted"] == len(behaviours), uploaded.text
        attested = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", json=ATTESTATION,
                            headers=owner.auth)
        assert attested.status_code == 200, attested.text
        started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
        assert started.status_code == 201, started.text
        run = run_to_the_end(http, base_url, owner, workflow["id"])  # approves the discount while it holds
        yield {"owner": owner, "workflow": workflow, "run": run, "behaviours": behaviours}
    finally:
        http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def test_each_rows_calls_end_the_way_its_sandbox_behaviour_says(http, base_url, rehearsal):
    owner, workflow, behaviours = rehearsal["owner"], rehearsal["workflow"], rehearsal["behaviours"]

    details = _call_details(http, base_url, owner, workflow["id"])

    assert rehearsal["run"]["status"] == "completed"
    ended = {phone: sorted((call["status"], call["outcome"]) for call in details if call["to"] == phone)
             for phone in behaviours}
    assert ended == {phone: EXPECTED_CALLS[behaviour] for phone, behaviour in behaviours.items()}


def test_the_discount_asker_held_for_a_human_and_the_objector_objected_before_converting(http, base_url, rehearsal):
    owner, workflow, behaviours = rehearsal["owner"], rehearsal["workflow"], rehearsal["behaviours"]
    phone_of = {behaviour: phone for phone, behaviour in behaviours.items()}
    approvals = http.get(f"{base_url}/api/approvals", params={"workflow_id": workflow["id"]},
                         headers=owner.auth).json()["approvals"]
    details = {call["id"]: call["to"] for call in _call_details(http, base_url, owner, workflow["id"])}
    carried = {details[call["call_id"]]: call for call in http.get(f"{base_url}/_sandbox/carrier/calls").json()
               if call["call_id"] in details}
    triggers = {handler["trigger"] for handler in
                http.get(f"{base_url}/api/workflows/{workflow['id']}", headers=owner.auth).json()["rule_book"][
                    "objection_handlers"]}

    def callee_lines(behaviour: str) -> list[str]:
        return [line["text"] for line in carried[phone_of[behaviour]]["transcript"] if line["speaker"] == "callee"]

    # The callback request's approval is decided by the rule book's callback policy (callbacks' own tests say how).
    assert sorted((item["proposed_action"], item["target_phone"]) for item in approvals) == [
        ("callback", phone_of["callback"]), ("concession", phone_of["discount"])], approvals
    assert next(item for item in approvals if item["proposed_action"] == "concession")["status"] == "approved"
    assert "% off" in callee_lines("discount")[0], carried[phone_of["discount"]]
    objection = callee_lines("objection")
    assert objection[0] in triggers and objection[1] == YES, (triggers, carried[phone_of["objection"]])
    assert callee_lines("convert")[0] == YES, carried[phone_of["convert"]]  # by its digit (6): not interested
    assert callee_lines("not_interested")[0] == "Sorry, I'm not interested."  # …and by this one's (8): signed up


def test_an_unknown_sandbox_behaviour_is_the_contracts_400_naming_row_and_column(http, base_url):
    owner = sign_up_and_log_in(http, base_url, country="US")
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": US_PROMPT}, headers=owner.auth).json()
    csv_file = b"phone,name,sandbox_behaviour\r\n+14155550106,Avery,convert\r\n+14155550116,Blake,opt out please\r\n"

    as_file = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=owner.auth,
                        files={"file": ("audience.csv", csv_file, "text/csv")})
    as_rows = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=owner.auth,
                        json={"rows": [{"phone": "+14155550106", "sandbox_behaviour": "hang up"}]})

    body = assert_error(as_file, 400, "INVALID_SANDBOX_BEHAVIOUR", field="file")
    assert body["error"].startswith('Row 3, column "sandbox_behaviour": \'opt out please\' is not a sandbox behaviour')
    assert_error(as_rows, 400, "INVALID_SANDBOX_BEHAVIOUR", field="rows.0.sandbox_behaviour")
    detail = http.get(f"{base_url}/api/workflows/{workflow['id']}", headers=owner.auth).json()
    assert detail["audience_count"] == 0


def test_the_transfer_rows_callee_is_connected_to_the_sandbox_human_who_heard_the_whisper(http, base_url, rehearsal):
    owner, workflow, behaviours = rehearsal["owner"], rehearsal["workflow"], rehearsal["behaviours"]
    phone = next(phone for phone, behaviour in behaviours.items() if behaviour == "transfer")
    (call,) = [call for call in _call_details(http, base_url, owner, workflow["id"]) if call["to"] == phone]
    deadline = time.monotonic() + TRANSFER_SETTLE_SECONDS
    while (call.get("transfer") or {}).get("status") != "connected" and time.monotonic() < deadline:
        time.sleep(0.5)
        call = http.get(f"{base_url}/api/calls/{call['id']}", headers=owner.auth).json()

    heard = [entry for entry in http.get(f"{base_url}/_sandbox/transfers").json()["transfers"]
             if entry["call_id"] == call["id"]]

    assert (call["outcome"], (call["transfer"] or {}).get("status")) == ("transferred", "connected"), call
    assert call["transfer"]["to_last4"] == HUMAN[-4:]
    assert len(heard) == 1 and heard[0]["to"] == HUMAN and heard[0]["answered"] is True, heard
    assert heard[0]["whisper"] == call["transfer"]["whisper"] and f"…{phone[-4:]}" in heard[0]["whisper"]
