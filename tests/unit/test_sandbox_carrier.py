"""The simulated carrier (infra_local/sandbox_carrier.py): each scripted callee's call, the TwiML it walks,
and the Twilio-shaped, signed webhooks it sends — driven with a fake webhook endpoint and a fake clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import asdict
from typing import Any

import pytest

from infra_local.sandbox_carrier import (
    CallRecord,
    CallRequest,
    CarrierTimings,
    SandboxCarrier,
    SimulatedCall,
    WebhookFailed,
    twilio_signature,
    webhook_request,
)
from shared.conversation.sandbox_callees import YES, callee_for

BASE = "http://127.0.0.1:8000/telephony/sandbox"
VOICE_URL, STATUS_URL = f"{BASE}/voice/7/call_1", f"{BASE}/status/7/call_1"
GATHER_URL = f"{BASE}/gather/7/call_1"
TIMINGS = CarrierTimings(ring_seconds=3.0, turn_seconds=1.0, pause_scale=0.5)


def _gather(prompt: str) -> str:
    return f'<Response><Gather input="speech" action="{GATHER_URL}"><Say>{prompt}</Say></Gather>' \
           f"<Say>Sorry I missed you. Goodbye.</Say><Hangup/></Response>"


class FakeWebhooks:
    """Our webhooks as the carrier sees them: TwiML by path, status callbacks recorded. The agent asks
    `turns` questions, then thanks and hangs up."""

    def __init__(self, *, turns: int = 2, voice: str | None = None, answers: dict[str, tuple[int, str]] | None = None):
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.turns = turns
        self.voice = voice or _gather("Hi, this is an automated call from Acme. Interested?")
        self.answers = answers or {}
        self.gathers = 0

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        self.requests.append((url, params))
        if url in self.answers:
            return self.answers[url]
        if url == STATUS_URL:
            return 204, ""
        if url == VOICE_URL:
            return 200, self.voice
        if url == GATHER_URL:
            self.gathers += 1
            if self.gathers < self.turns:
                return 200, _gather(f"Question {self.gathers + 1}?")
            return 200, "<Response><Say>Thank you. Goodbye.</Say><Hangup/></Response>"
        return 404, "not found"

    def statuses(self) -> list[str]:
        return [params["CallStatus"] for url, params in self.requests if url == STATUS_URL]

    def to(self, url: str) -> list[dict[str, str]]:
        return [params for called, params in self.requests if called == url]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def _call(number: str, webhooks: FakeWebhooks, *, script: dict[str, Any] | None = None,
          machine_detection: bool = True, time_limit_seconds: float = 600) -> tuple[CallRecord, FakeClock]:
    clock = FakeClock()
    request = CallRequest(call_id="call_1", to=number, from_="+14155550100", voice_url=VOICE_URL,
                          status_url=STATUS_URL, time_limit_seconds=time_limit_seconds,
                          machine_detection=machine_detection, script=script or {})
    record = CallRecord(sid="SB0001", call_id="call_1", to=number, from_="+14155550100")
    SimulatedCall(request, record, post=webhooks.post, sleep=clock.sleep, clock=clock, timings=TIMINGS).run()
    return record, clock


def _callee_lines(record: CallRecord) -> list[str]:
    return [line["text"] for line in record.transcript if line["speaker"] == "callee"]


def test_digit_0_rings_then_reports_no_answer_without_asking_for_twiml() -> None:
    webhooks = FakeWebhooks()
    record, clock = _call("+15550000000", webhooks)

    assert webhooks.statuses() == ["ringing", "no-answer"]
    assert not webhooks.to(VOICE_URL) and record.status == "no-answer"
    assert clock.slept == [TIMINGS.ring_seconds]
    assert webhooks.to(STATUS_URL)[-1]["CallDuration"] == "0"


def test_digit_1_is_busy() -> None:
    webhooks = FakeWebhooks()
    record, _ = _call("+15550000001", webhooks)

    assert webhooks.statuses() == ["ringing", "busy"] and record.status == "busy"


def test_digit_2_is_an_answering_machine_announced_as_machine_start_and_it_never_speaks() -> None:
    voicemail = '<Response><Gather input="speech"><Say>Hi</Say></Gather><Say>Please call us back.</Say></Response>'
    webhooks = FakeWebhooks(voice=voicemail)
    record, _ = _call("+15550000002", webhooks)

    assert webhooks.to(VOICE_URL)[0]["AnsweredBy"] == "machine_start" and record.answered_by == "machine_start"
    assert _callee_lines(record) == [] and not webhooks.to(GATHER_URL)
    assert [line["text"] for line in record.transcript] == ["Hi", "Please call us back."]
    assert webhooks.statuses() == ["ringing", "in-progress", "completed"]


@pytest.mark.parametrize("digit", list("3456789"))
def test_a_human_callee_answers_each_gather_with_its_scripted_lines(digit: str) -> None:
    number = f"+1555000000{digit}"
    webhooks = FakeWebhooks(turns=3)
    record, _ = _call(number, webhooks)

    lines = callee_for(number).lines
    expected = [lines[min(turn, len(lines) - 1)] for turn in range(3)]  # the last line repeats
    assert _callee_lines(record) == expected
    assert [params["SpeechResult"] for params in webhooks.to(GATHER_URL)] == expected
    assert {params["Confidence"] for params in webhooks.to(GATHER_URL)} == {"0.93"}
    assert webhooks.to(VOICE_URL)[0]["AnsweredBy"] == "human"
    assert webhooks.statuses() == ["ringing", "in-progress", "completed"] and record.status == "completed"


def test_the_script_sent_with_the_call_wins_over_the_numbers_digit() -> None:
    script = asdict(callee_for("+15550000004"))  # what the dialer sends: the campaign's own discount ask
    script["lines"] = ["Could you do 31% off?", YES]
    webhooks = FakeWebhooks(turns=2)
    record, _ = _call("+15550000008", webhooks, script=script)

    assert _callee_lines(record) == ["Could you do 31% off?", YES]


def test_without_machine_detection_no_answered_by_is_sent() -> None:
    webhooks = FakeWebhooks(turns=1)
    record, _ = _call("+15550000008", webhooks, machine_detection=False)

    assert "AnsweredBy" not in webhooks.to(VOICE_URL)[0] and record.answered_by is None


def test_every_webhook_carries_twilios_parameters_and_status_callbacks_are_numbered() -> None:
    webhooks = FakeWebhooks(turns=1)
    _call("+15550000008", webhooks)

    for _, params in webhooks.requests:
        assert params["AccountSid"] == "ACsandbox" and params["CallSid"] == "SB0001"
        assert (params["From"], params["To"]) == ("+14155550100", "+15550000008")
        assert (params["Direction"], params["ApiVersion"]) == ("outbound-api", "2010-04-01")
    assert [params["SequenceNumber"] for params in webhooks.to(STATUS_URL)] == ["0", "1", "2"]
    assert all(params["CallStatus"] == "in-progress" for params in webhooks.to(VOICE_URL) + webhooks.to(GATHER_URL))


def test_pauses_sleep_scaled_and_the_duration_is_the_answered_time_rounded_up() -> None:
    voice = '<Response><Say>Hold on.</Say><Pause length="3"/><Say>Bye.</Say></Response>'
    webhooks = FakeWebhooks(voice=voice)
    record, clock = _call("+15550000008", webhooks)

    assert clock.slept == [TIMINGS.ring_seconds, 1.5]
    final = webhooks.to(STATUS_URL)[-1]
    assert final["CallStatus"] == "completed" and final["CallDuration"] == final["Duration"] == "2"
    assert record.duration_seconds == 2


def test_a_callee_without_a_line_lets_the_gather_time_out_and_the_document_goes_on() -> None:
    webhooks = FakeWebhooks()
    record, _ = _call("+15550000008", webhooks, script={"digit": "8", "answers": True, "lines": []})

    assert not webhooks.to(GATHER_URL)
    assert record.transcript[-1]["text"] == "Sorry I missed you. Goodbye." and record.status == "completed"


def test_a_redirect_fetches_the_next_document_relative_to_the_current_one() -> None:
    voice = "<Response><Say>One moment.</Say><Redirect>../../hold/7/call_1</Redirect></Response>"
    hold_url = f"{BASE}/hold/7/call_1"
    webhooks = FakeWebhooks(voice=voice, answers={hold_url: (200, "<Response><Say>Back.</Say><Hangup/></Response>")})
    record, _ = _call("+15550000008", webhooks)

    assert len(webhooks.to(hold_url)) == 1
    assert [line["text"] for line in record.transcript] == ["One moment.", "Back."]


@pytest.mark.parametrize("answer", [(500, "boom"), (200, "<Response><Say>unclosed</Response>"), (200, "<html/>")])
def test_a_webhook_answering_an_error_or_invalid_twiml_fails_the_call(answer: tuple[int, str]) -> None:
    webhooks = FakeWebhooks(answers={VOICE_URL: answer})
    record, _ = _call("+15550000008", webhooks)

    assert record.status == "failed" and record.error
    assert webhooks.statuses() == ["ringing", "in-progress", "failed"]


def test_the_carrier_hangs_up_at_the_time_limit() -> None:
    webhooks = FakeWebhooks(turns=100)
    record, _ = _call("+15550000008", webhooks, time_limit_seconds=4.5)

    assert record.status == "completed" and "time limit" in (record.error or "")
    assert len(webhooks.to(GATHER_URL)) == 4  # one turn per second of the fake clock
    assert webhooks.to(STATUS_URL)[-1]["CallDuration"] == "5"


def test_an_unreachable_webhook_fails_the_call() -> None:
    def unreachable(url: str, params: dict[str, str]) -> tuple[int, str]:
        if url == STATUS_URL:
            return 204, ""
        raise WebhookFailed("connection refused")

    clock = FakeClock()
    request = CallRequest("call_1", "+15550000008", "", VOICE_URL, STATUS_URL, 600, True, {})
    record = CallRecord("SB1", "call_1", "+15550000008", "")
    SimulatedCall(request, record, post=unreachable, sleep=clock.sleep, clock=clock, timings=TIMINGS).run()

    assert record.status == "failed" and record.error == "connection refused"


def test_the_signature_is_twilios_hmac_sha1_over_the_url_and_the_sorted_parameters() -> None:
    params = {"CallSid": "SB1", "To": "+15550000008", "AccountSid": "ACsandbox", "CallStatus": "ringing"}
    base = STATUS_URL + "".join(name + params[name] for name in sorted(params))
    expected = base64.b64encode(hmac.new(b"token-1", base.encode(), hashlib.sha1).digest()).decode()

    assert twilio_signature(STATUS_URL, params, "token-1") == expected
    request = webhook_request(STATUS_URL, params, "token-1")
    assert request.get_header("X-twilio-signature") == expected
    assert request.get_header("Content-type") == "application/x-www-form-urlencoded"
    assert dict(urllib.parse.parse_qsl(request.data.decode())) == params


def test_the_http_surface_places_a_call_at_once_and_lists_it_with_its_transcript() -> None:
    webhooks = FakeWebhooks(turns=1)
    carrier = SandboxCarrier(post=webhooks.post, sleep=lambda _: None, timings=TIMINGS)
    body = json.dumps({"call_id": "call_1", "to": "+15550000008", "from": "+14155550100", "voice_url": VOICE_URL,
                       "status_url": STATUS_URL, "time_limit_seconds": 300, "machine_detection": True,
                       "script": asdict(callee_for("+15550000008"))}).encode()

    placed = carrier.respond("POST", "/_sandbox/carrier/calls", body)
    again = carrier.respond("POST", "/_sandbox/carrier/calls", body)

    assert placed.status == 201 and json.loads(placed.body)["sid"].startswith("SB")
    assert again.status == 200 and json.loads(again.body)["sid"] == json.loads(placed.body)["sid"]
    deadline = time.monotonic() + 5
    while carrier.recent()[0]["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.01)
    (listed,) = json.loads(carrier.respond("GET", "/_sandbox/carrier/calls", b"").body)
    assert listed["status"] == "completed" and listed["answered_by"] == "human"
    assert {"speaker": "callee", "text": YES} in listed["transcript"]


def test_the_http_surface_refuses_a_call_without_its_urls() -> None:
    carrier = SandboxCarrier(post=FakeWebhooks().post, sleep=lambda _: None, timings=TIMINGS)

    refused = carrier.respond("POST", "/_sandbox/carrier/calls", json.dumps({"call_id": "c", "to": "+1"}).encode())

    assert refused.status == 400 and b"voice_url" in refused.body
    assert carrier.respond("POST", "/_sandbox/carrier/calls", b"not json").status == 400


def test_timings_come_from_the_environment_with_small_defaults() -> None:
    assert CarrierTimings.from_environment({}) == CarrierTimings(0.4, 0.2, 0.2)
    assert CarrierTimings.from_environment({"SANDBOX_CARRIER_RING_SECONDS": "0"}).ring_seconds == 0.0
