"""The dialer through the local stack: a 12-number sandbox campaign end to end, and the runs endpoints.

Every answered call is a real-time media stream between the sandbox carrier and the voice plane: the scripted callee
speaks its lines (espeak-ng) and the agent answers in the stream. The callees behave by the number's last digit
(README): 0 no answer · 1 busy · 2 answering machine · 3 "please stop calling me" · 4 asks for a discount above the
auto-approve limit · 5 an objection, then converts · 6 not interested · 7 call me back tomorrow · 8 converts · 9 asks
to hear more, then talks over the agent to sign up. The stack's clock is moved to a Wednesday afternoon in New York,
inside every US number's legal hours. Calls take real seconds (~30 s a conversation): the campaign runs once and
several tests read it.
"""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from shared.conversation.sandbox_callees import MACHINE_GREETING
from tests.contract.helpers import assert_error, run_to_the_end, sign_up_and_log_in
from tests.contract.slack_helpers import channel_of, connect_sandbox_slack, message_about, wait_for, workspace_name

US_PROMPT = ("Renewal reminders for our US customers, 9am-8pm Eastern time every day, offer up to 20% off, "
             "auto-approve 10%")
CALLABLE_MOMENT = "2026-12-02T15:00:00-05:00"
PHONES = [f"+1415555{index:04d}" for index in range(12)]  # last digits 0-9, then 0 and 1 again


@pytest.fixture
def callable_clock(http, base_url) -> Iterator[None]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _ready_workflow(http, base_url, account, phones, **fields) -> dict:
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": US_PROMPT, **fields},
                         headers=account.auth).json()
    uploaded = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience",
                         json={"rows": [{"phone": phone, "name": f"Customer {phone[-2:]}"} for phone in phones]},
                         headers=account.auth)
    assert uploaded.status_code == 200 and uploaded.json()["accepted"] == len(phones), uploaded.text
    attested = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance",
                        json={"consent_attestation_text": "Every contact opted in on our web form"},
                        headers=account.auth)
    assert attested.status_code == 200, attested.text
    return workflow


def _phone_query(phone: str) -> dict[str, str]:
    return {"phone": phone}


@pytest.fixture(scope="module")
def campaign(http, base_url) -> Iterator[dict[str, Any]]:
    """The 12-number campaign, run once to its end: the owner, workflow, run and the balance before it. A test
    workflow of another workspace (+…08 and +…09) runs at the same time (calls take real seconds: side by side)."""
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    try:
        owner = sign_up_and_log_in(http, base_url, country="US")
        tester = sign_up_and_log_in(http, base_url, country="US")
        workflow = _ready_workflow(http, base_url, owner, PHONES)
        test_workflow = _ready_workflow(http, base_url, tester, ["+14155550108", "+14155550109"], is_test=True)
        balance_before = http.get(f"{base_url}/billing/balance", headers=owner.auth).json()
        tester_balance_before = http.get(f"{base_url}/billing/balance", headers=tester.auth).json()["balance_minor"]
        started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
        test_started = http.post(f"{base_url}/workflows/{test_workflow['id']}/run", headers=tester.auth)
        assert started.status_code == 201, started.text
        assert started.json()["status"] == "running" and started.json()["targets_queued"] == 12
        assert test_started.status_code == 201, test_started.text
        run = run_to_the_end(http, base_url, owner, workflow["id"])
        assert run["id"] == started.json()["run_id"]
        test_run = run_to_the_end(http, base_url, tester, test_workflow["id"])
        # The clock stays where the campaign ran while its tests read it (a callback's approval expires days later).
        yield {"owner": owner, "workflow": workflow, "run": run, "balance_before": balance_before,
               "tester": tester, "test_run": test_run, "tester_balance_before": tester_balance_before}
    finally:
        http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def _within_rate_limit(http: requests.Session, url: str, **options: Any) -> requests.Response:
    """A GET that waits out the tenant's 10 requests/s (these tests read many calls at once)."""
    while (response := http.get(url, **options)).status_code == 429:
        time.sleep(float(response.headers.get("Retry-After") or 1))
    return response


def _call_details(http, base_url, account, workflow_id: str) -> list[dict[str, Any]]:
    listed = _within_rate_limit(http, f"{base_url}/api/calls", params={"workflow_id": workflow_id, "limit": 100},
                                headers=account.auth).json()["calls"]
    return [_within_rate_limit(http, f"{base_url}/api/calls/{call['id']}", headers=account.auth).json()
            for call in listed]


def test_a_twelve_number_campaign_runs_to_the_end_with_what_the_magic_numbers_imply(http, base_url, campaign):
    owner, workflow, run, balance_before = (campaign[name] for name in ("owner", "workflow", "run", "balance_before"))

    assert run["status"] == "completed"
    approvals = http.get(f"{base_url}/api/approvals", params={"workflow_id": workflow["id"]},
                         headers=owner.auth).json()["approvals"]
    # The rule book's callback policy needs no human (the composer's default): the callback is approved by the policy
    # and scheduled for tomorrow morning (tests/contract/test_callbacks.py fires one).
    assert sorted((item["proposed_action"], item["status"], item["target_phone"]) for item in approvals) == [
        ("callback", "approved", PHONES[7]), ("concession", "approved", PHONES[4])]
    callback = next(item for item in approvals if item["proposed_action"] == "callback")
    assert callback["decided_by"] == "policy:callback_policy"

    expected = {"targets_total": 12, "targets_dialed": 12, "targets_finished": 12, "targets_queued": 0,
                "targets_connected": 7,  # 3, 4, 5, 6, 7, 8, 9 picked up in person
                "targets_converted": 4,  # 4 (after the approval), 5, 8, 9
                "opted_out": 1, "not_interested": 1, "callbacks_requested": 1,
                "voicemails": 2,  # digit 2, tried twice by the voicemail retry policy
                "busy": 6, "no_answer": 6,  # two numbers each, three attempts each
                "calls_placed": 21, "failed_calls": 0, "approvals_pending": 0,
                "concessions_decided": 1, "minutes_billed": 9}  # 7 conversations + 2 voicemails, ≤ 1 min each
    assert {name: run[name] for name in expected} == expected

    history = http.get(f"{base_url}/billing/history", params={"limit": 200}, headers=owner.auth).json()
    charges = [entry for entry in history["entries"] if entry["kind"] == "call_charge"]
    rate = balance_before["rate_per_minute_minor"]
    assert len(charges) == 9 and all(entry["amount_minor"] == -rate for entry in charges)
    balance_after = http.get(f"{base_url}/billing/balance", headers=owner.auth).json()
    assert balance_after["balance_minor"] == balance_before["balance_minor"] - 9 * rate == \
        balance_before["balance_minor"] - run["cost_minor"]

    assert http.get(f"{base_url}/dnc/check", params={"phone_e164": PHONES[3]},
                    headers=owner.auth).json()["on_dnc"] is True
    for phone in PHONES:
        check = http.get(f"{base_url}/dnc/check", params={"phone_e164": phone}, headers=owner.auth).json()
        assert check["in_cooldown"] is True, phone

    discount = http.get(f"{base_url}/api/timeline", params=_phone_query(PHONES[4]), headers=owner.auth).json()
    assert [event["kind"] for event in discount["events"]] == ["call", "decision"]
    assert discount["events"][0]["payload"]["outcome"] == "converted"
    assert discount["events"][0]["run_id"] == run["id"] and discount["events"][0]["direction"] == "outbound"
    opted_out = http.get(f"{base_url}/api/timeline", params=_phone_query(PHONES[3]), headers=owner.auth).json()
    assert sorted(event["kind"] for event in opted_out["events"]) == ["call", "dnc"]
    busy = http.get(f"{base_url}/api/timeline", params=_phone_query(PHONES[1]), headers=owner.auth).json()
    assert [event["payload"]["attempt"] for event in busy["events"]] == [3, 2, 1]


def test_every_call_a_person_answered_ends_with_its_transcript_latency_and_recording(http, base_url, campaign):
    owner = campaign["owner"]
    details = _call_details(http, base_url, owner, campaign["workflow"]["id"])
    conversations = [call for call in details if call["status"] == "completed" and call["outcome"] != "voicemail"]

    carried = {call["call_id"]: call for call in http.get(f"{base_url}/_sandbox/carrier/calls").json()}

    assert sorted(call["to"][-1] for call in conversations) == list("3456789")
    for call in conversations:
        seen = (call, carried.get(call["id"]))  # the voice plane's record and the carrier's, should one fail
        transcript = call["transcript"]
        assert transcript[0]["speaker"] == "agent", seen  # the opener first
        assert {line["speaker"] for line in transcript} == {"agent", "contact"}, seen
        assert [line["offset_ms"] for line in transcript] == sorted(line["offset_ms"] for line in transcript)
        assert call["latency"]["turns"] >= 1 and 0 < call["latency"]["p50_ms"] <= call["latency"]["p95_ms"], seen
        assert call["has_recording"] is True and call["recording"]["channels"] == 2, seen
        assert call["recording"]["duration_ms"] > 1000, seen
    opted_out = next(call for call in conversations if call["to"] == PHONES[3])
    assert opted_out["outcome"] == "opted_out"
    assert any(line["speaker"] == "contact" and "stop calling" in line["text"].lower()
               for line in opted_out["transcript"])


def test_a_recording_is_a_two_channel_wav_behind_a_redirect(http, base_url, campaign):
    owner = campaign["owner"]
    converted = next(call for call in _call_details(http, base_url, owner, campaign["workflow"]["id"])
                     if call["to"] == PHONES[8])

    redirect = _within_rate_limit(http, f"{base_url}/api/calls/{converted['id']}/recording", headers=owner.auth,
                                  allow_redirects=False)
    audio = http.get(redirect.headers["Location"])

    assert redirect.status_code == 302 and audio.status_code == 200
    with wave.open(io.BytesIO(audio.content)) as recording:
        assert (recording.getnchannels(), recording.getframerate(), recording.getsampwidth()) == (2, 8000, 2)
        seconds = recording.getnframes() / recording.getframerate()
    assert seconds == pytest.approx(converted["recording"]["duration_ms"] / 1000, abs=0.1)


def test_the_answering_machine_gets_the_voicemail_outcome_and_is_retried(http, base_url, campaign):
    owner = campaign["owner"]
    machine = [call for call in _call_details(http, base_url, owner, campaign["workflow"]["id"])
               if call["to"] == PHONES[2]]

    assert len(machine) == 2  # the voicemail retry policy calls once more
    assert {(call["status"], call["outcome"]) for call in machine} == {("completed", "voicemail")}
    for call in machine:  # the greeting was heard; this rule book hangs up on machines rather than leave a message
        assert [line["text"] for line in call["transcript"] if line["speaker"] == "contact"] == [MACHINE_GREETING]
        assert call["has_recording"] is False and call["latency"] is None  # no conversation, nothing recorded


def test_the_sandbox_carrier_shows_what_each_callee_said_and_when_the_agent_spoke(http, base_url, campaign):
    owner = campaign["owner"]
    call_ids = {call["id"]: call["to"] for call in _call_details(http, base_url, owner, campaign["workflow"]["id"])}
    carried = {call_ids[call["call_id"]]: call for call in http.get(f"{base_url}/_sandbox/carrier/calls").json()
               if call["call_id"] in call_ids}

    opt_out = carried[PHONES[3]]  # the opener, "please stop calling me", then only the agent's goodbye
    speakers = [line["speaker"] for line in opt_out["transcript"]]
    assert speakers[:3] == ["agent", "callee", "agent"] and set(speakers[3:]) <= {"agent"}, opt_out
    assert opt_out["transcript"][1]["text"] == "Please stop calling me."
    assert all(line["duration_ms"] > 0 for line in opt_out["transcript"] if line["speaker"] == "agent")
    assert opt_out["stream"]["ended_by"] == "voice_plane" and opt_out["error"] is None
    machine = carried[PHONES[2]]
    assert machine["answered_by"] == "machine_end_beep" and machine["transcript"][0]["text"] == MACHINE_GREETING
    barging = carried[PHONES[9]]  # "tell me more", then "sign me up" over the agent's pitch
    assert barging["stream"]["clears"] >= 1
    assert any(line["speaker"] == "agent" and line["interrupted"] for line in barging["transcript"]), barging
    assert all(call["status"] == "completed" for phone, call in carried.items() if phone[-1] not in "01")


def test_a_test_workflow_calls_through_the_sandbox_and_is_never_billed(http, base_url, campaign):
    tester, run = campaign["tester"], campaign["test_run"]

    assert run["is_test"] is True and run["targets_converted"] == 2 and run["cost_minor"] == 0
    after = http.get(f"{base_url}/billing/balance", headers=tester.auth).json()["balance_minor"]
    assert after == campaign["tester_balance_before"]


def test_pause_stops_new_dials_and_run_resumes_with_what_is_left(http, base_url, callable_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    phones = [f"+1415555{index:03d}0" for index in range(20, 32)]  # last digit 0: no answer, retried twice
    workflow = _ready_workflow(http, base_url, owner, phones)

    run_id = http.post(f"{base_url}/workflows/{workflow['id']}/run", headers=owner.auth).json()["run_id"]
    paused = http.post(f"{base_url}/workflows/{workflow['id']}/pause", headers=owner.auth)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        detail = http.get(f"{base_url}/workflows/{workflow['id']}", headers=owner.auth).json()
        run = http.get(f"{base_url}/workflows/{workflow['id']}/runs", headers=owner.auth).json()["runs"][0]
        if detail["status"] == "paused" and run["status"] == "paused":
            break
        time.sleep(0.5)
    finished_while_paused = run["targets_finished"]
    resumed = http.post(f"{base_url}/workflows/{workflow['id']}/run", headers=owner.auth)
    final = run_to_the_end(http, base_url, owner, workflow["id"])

    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert finished_while_paused < len(phones)
    assert resumed.status_code == 201 and resumed.json()["run_id"] == run_id and resumed.json()["resumed"] is True
    assert resumed.json()["targets_queued"] == len(phones) - finished_while_paused
    assert final["status"] == "completed" and final["targets_finished"] == len(phones)
    assert final["targets_dialed"] == len(phones) and final["no_answer"] == 3 * len(phones)


def test_run_errors_are_the_contract_json(http, base_url):
    owner = sign_up_and_log_in(http, base_url, country="US")
    draft = http.post(f"{base_url}/api/workflows", json={"nl_prompt": US_PROMPT}, headers=owner.auth).json()

    not_ready = http.post(f"{base_url}/api/workflows/{draft['id']}/run", headers=owner.auth)
    not_live = http.post(f"{base_url}/api/workflows/{draft['id']}/pause", headers=owner.auth)
    unknown = http.post(f"{base_url}/api/workflows/wf_nope/run", headers=owner.auth)
    anonymous = http.get(f"{base_url}/api/workflows/{draft['id']}/runs")

    assert_error(not_ready, 409, "WORKFLOW_NOT_READY")
    assert {problem["field"] for problem in not_ready.json()["errors"]} == {"audience", "compliance"}
    assert_error(not_live, 409, "WORKFLOW_NOT_LIVE")
    assert_error(unknown, 404)
    assert anonymous.status_code == 401
    assert http.get(f"{base_url}/api/workflows/{draft['id']}/runs", headers=owner.auth).json() == {"runs": []}


def test_a_forged_carrier_webhook_is_refused(http, base_url):
    forged = http.post(f"{base_url}/telephony/twilio/voice/1/call_0123abcd", data={"CallSid": "CA1"},
                       headers={"X-Twilio-Signature": "forged"})
    unsigned = http.post(f"{base_url}/telephony/sandbox/status/1/call_0123abcd", data={"CallStatus": "completed"})

    assert_error(forged, 403)
    assert_error(unsigned, 403, "INVALID_SIGNATURE")


def test_a_human_approves_in_the_sandbox_slack_while_the_callee_holds(http, base_url, callable_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    workspace = workspace_name("Dialer")
    team = connect_sandbox_slack(http, base_url, owner, workspace)  # the tenant's own (sandbox) Slack
    workflow = _ready_workflow(http, base_url, owner, ["+14155550304"], is_test=True)  # 4: asks for a discount
    assert http.post(f"{base_url}/workflows/{workflow['id']}/run", headers=owner.auth).status_code == 201
    deadline, approval = time.monotonic() + 60, None
    while approval is None and time.monotonic() < deadline:
        pending = http.get(f"{base_url}/api/approvals", params={"status": "pending"}, headers=owner.auth).json()
        approval = next(iter(pending["approvals"]), None)
        time.sleep(0.3)
    assert approval is not None, "the callee never asked for a discount"

    message = wait_for(lambda: message_about(http, base_url, workspace, approval["id"]), what="the Slack message")
    form = {"team_id": team["id"], "channel_id": channel_of(team, "approvals")["id"], "ts": message["ts"],
            "action_id": "approval_approve"}
    clicked = http.post(f"{base_url}/_sandbox/slack/click", data=form, allow_redirects=False)
    deadline = time.monotonic() + 30  # the click is acknowledged at once and decided from the slack-actions queue
    while time.monotonic() < deadline and http.get(f"{base_url}/api/approvals", params={"status": "pending"},
                                                   headers=owner.auth).json()["approvals"]:
        time.sleep(0.3)
    run = run_to_the_end(http, base_url, owner, workflow["id"])

    assert clicked.status_code == 303 and form["action_id"].endswith("approve")
    decided = http.get(f"{base_url}/api/approvals", params={"workflow_id": workflow["id"]}, headers=owner.auth)
    assert decided.json()["approvals"][0]["status"] == "approved"
    assert decided.json()["approvals"][0]["decided_by"].startswith("slack:")
    assert run["targets_converted"] == 1 and run["concessions_decided"] == 1
