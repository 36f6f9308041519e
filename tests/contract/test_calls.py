"""The calls API over HTTP, as the README walks it: a sandbox campaign's calls listed newest first, filtered by
workflow, number and status, paged by cursor, one call with its transcript, latency and recording (each answered
call is a media stream between the sandbox carrier and the voice plane); never another tenant's.

Callees by last digit (README): 8 converts, 3 asks not to be called again, 1 is busy (tried three times).
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import pytest

from shared.conversation.sandbox_callees import YES
from tests.contract.helpers import assert_error, run_to_the_end, sign_up_and_log_in
from tests.contract.test_dialer import CALLABLE_MOMENT, _ready_workflow

PHONES = ["+14155550208", "+14155550203", "+14155550201"]


@pytest.fixture(scope="module")
def campaign(http, base_url) -> Iterator[dict]:
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": CALLABLE_MOMENT})
    assert moved.status_code == 200, moved.text
    try:
        owner = sign_up_and_log_in(http, base_url, country="US")
        workflow = _ready_workflow(http, base_url, owner, PHONES)
        started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
        assert started.status_code == 201, started.text
        run = run_to_the_end(http, base_url, owner, workflow["id"])
    finally:
        http.post(f"{base_url}/_sandbox/clock", json={"now": None})
    yield {"owner": owner, "workflow": workflow, "run": run}


def _calls(http, base_url, account, **params) -> dict:
    reply = http.get(f"{base_url}/api/calls", params=params, headers=account.auth)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_campaigns_calls_are_listed_newest_first_with_their_outcomes(http, base_url, campaign):
    owner, run = campaign["owner"], campaign["run"]

    calls = _calls(http, base_url, owner, workflow_id=campaign["workflow"]["id"])["calls"]

    assert len(calls) == run["calls_placed"] == 5
    assert [call["started_at"] for call in calls] == sorted((call["started_at"] for call in calls), reverse=True)
    assert {call["run_id"] for call in calls} == {run["id"]}
    assert sorted((call["to"], call["status"], call["outcome"]) for call in calls) == [
        (PHONES[2], "busy", "busy")] * 3 + [(PHONES[1], "completed", "opted_out"),
                                            (PHONES[0], "completed", "converted")]
    assert {call["currency"] for call in calls} == {"USD"}
    assert sum(call["cost_minor"] for call in calls) == run["cost_minor"]


def test_a_connected_call_has_its_transcript_latency_and_a_recording_to_listen_to(http, base_url, campaign):
    owner = campaign["owner"]
    (converted,) = _calls(http, base_url, owner, phone=PHONES[0])["calls"]

    detail = http.get(f"{base_url}/api/calls/{converted['id']}", headers=owner.auth)
    recording = http.get(f"{base_url}/api/calls/{converted['id']}/recording", headers=owner.auth,
                         allow_redirects=False)

    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert {key: body[key] for key in converted} == converted and converted["has_recording"] is True
    transcript = body["transcript"]
    assert transcript[0]["speaker"] == "agent" and {line["speaker"] for line in transcript} == {"agent", "contact"}
    assert [line["offset_ms"] for line in transcript] == sorted(line["offset_ms"] for line in transcript)
    assert ("contact", YES) in [(line["speaker"], line["text"]) for line in transcript]  # what the callee said
    assert body["latency"]["turns"] >= 1 and 0 < body["latency"]["p50_ms"] <= body["latency"]["p95_ms"]
    assert body["recording"]["channels"] == 2 and body["recording"]["duration_ms"] > 1000
    assert recording.status_code == 302
    listened = http.get(recording.headers["Location"])  # the README's `curl -L …/recording -o call.wav`
    assert listened.status_code == 200
    with wave.open(io.BytesIO(listened.content)) as wav:  # contact left, agent right, 8 kHz telephone audio
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)
        assert wav.getnframes() / 8000 == pytest.approx(body["recording"]["duration_ms"] / 1000, abs=0.1)


def test_a_call_nobody_answered_has_no_recording(http, base_url, campaign):
    owner = campaign["owner"]
    busy = _calls(http, base_url, owner, phone=PHONES[2])["calls"][0]

    detail = http.get(f"{base_url}/api/calls/{busy['id']}", headers=owner.auth).json()
    recording = http.get(f"{base_url}/api/calls/{busy['id']}/recording", headers=owner.auth, allow_redirects=False)

    assert detail["transcript"] == [] and detail["latency"] is None and detail["recording"] is None
    assert_error(recording, 404, "RECORDING_NOT_FOUND")


def test_filters_by_number_and_status_and_pages_by_cursor(http, base_url, campaign):
    owner = campaign["owner"]
    everything = [call["id"] for call in _calls(http, base_url, owner)["calls"]]

    busy = _calls(http, base_url, owner, phone=PHONES[2])["calls"]
    by_status = _calls(http, base_url, owner, status="busy")["calls"]
    seen, cursor, pages = [], None, 0
    while True:
        page = _calls(http, base_url, owner, limit=2, **({"cursor": cursor} if cursor else {}))
        seen, cursor, pages = seen + [call["id"] for call in page["calls"]], page["next_cursor"], pages + 1
        if cursor is None:
            break

    assert len(busy) == 3 and {call["status"] for call in busy} == {"busy"}
    assert [call["id"] for call in by_status] == [call["id"] for call in busy]
    assert seen == everything and len(everything) == 5 and pages == 3


def test_another_workspace_never_sees_the_calls(http, base_url, campaign):
    owner, stranger = campaign["owner"], sign_up_and_log_in(http, base_url, country="US")
    call_id = _calls(http, base_url, owner)["calls"][0]["id"]

    assert _calls(http, base_url, stranger)["calls"] == []
    assert _calls(http, base_url, stranger, workflow_id=campaign["workflow"]["id"])["calls"] == []
    assert_error(http.get(f"{base_url}/api/calls/{call_id}", headers=stranger.auth), 404, "CALL_NOT_FOUND")
    assert_error(http.get(f"{base_url}/api/calls/{call_id}/recording", headers=stranger.auth,
                          allow_redirects=False), 404, "CALL_NOT_FOUND")


@pytest.mark.parametrize(("params", "field", "code"), [
    ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor", "INVALID_CURSOR"),
    ({"limit": "0"}, "limit", None),
    ({"limit": "201"}, "limit", None),
    ({"status": "finished"}, "status", None),
    ({"phone": "12"}, "phone", "INVALID_PHONE_NUMBER"),
])
def test_bad_parameters_are_the_contract_error(http, base_url, params, field, code):
    owner = sign_up_and_log_in(http, base_url)

    assert_error(http.get(f"{base_url}/api/calls", params=params, headers=owner.auth), 400, code, field)


def test_an_unknown_call_is_a_404(http, base_url):
    owner = sign_up_and_log_in(http, base_url)

    assert_error(http.get(f"{base_url}/api/calls/call_missing", headers=owner.auth), 404, "CALL_NOT_FOUND")
