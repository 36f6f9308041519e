"""The simulated carrier (infra_local/sandbox_carrier.py, sandbox_call.py): each scripted callee's call, the TwiML
it plays, the media stream it opens to the voice plane, the async AMD result and the Twilio-shaped, signed
webhooks it sends — driven with fake webhooks, a fake voice plane (tests/fakes/sandbox_voice_plane.py) and a fake
clock: no server, no real time."""

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

from infra_local.sandbox_call import CallRecord, CallRequest, CarrierTimings, SimulatedCall, WebhookFailed
from infra_local.sandbox_callee_lines import CalleeLineRegistry
from infra_local.sandbox_carrier import SandboxCarrier, twilio_signature, webhook_request
from shared.conversation.sandbox_callees import MACHINE_GREETING, YES, callee_for
from tests.fakes.sandbox_voice_plane import LOUD, FakeVoicePlane, loud, unreachable

BASE = "http://127.0.0.1:8000/telephony/sandbox"
VOICE_URL, STATUS_URL, AMD_URL = f"{BASE}/voice/7/call_1", f"{BASE}/status/7/call_1", f"{BASE}/amd/7/call_1"
STREAM_URL = "ws://127.0.0.1:8765/media/twilio"
CONNECT = (f'<Response><Connect><Stream url="{STREAM_URL}"><Parameter name="token" value="tok-1"/>'
           '<Parameter name="call_id" value="call_1"/></Stream></Connect></Response>')
TIMINGS = CarrierTimings(ring_seconds=3.0, reply_after_quiet_seconds=0.7, barge_in_after_seconds=1.2,
                         amd_seconds=1.5, pause_scale=0.5)
LINE_SECONDS = 0.6  # every callee line, as the fake renderer speaks it


class FakeWebhooks:
    """Our webhooks as the carrier sees them: the voice webhook answers `voice` (a media stream by default)."""

    def __init__(self, *, voice: str = CONNECT, answers: dict[str, tuple[int, str]] | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.voice = voice
        self.answers = answers or {}

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        self.requests.append((url, params))
        if url in self.answers:
            return self.answers[url]
        if url in (STATUS_URL, AMD_URL):
            return 204, ""
        if url == VOICE_URL:
            return 200, self.voice
        return 404, "not found"

    def statuses(self) -> list[str]:
        return [params["CallStatus"] for url, params in self.requests if url == STATUS_URL]

    def to(self, url: str) -> list[dict[str, str]]:
        return [params for called, params in self.requests if called == url]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds

    def __call__(self) -> float:
        return self.now


class FakeTimers:
    """AMD's timer, fired by the test's fake clock: due functions run at the next sleep."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: list[list[Any]] = []  # [due, function, cancelled]

    def schedule(self, delay: float, function) -> Any:
        timer = [self.clock.now + delay, function, False]
        self.pending.append(timer)

        class Handle:
            def cancel(self) -> None:
                timer[2] = True

        return Handle()

    def fire_due(self) -> None:
        for timer in list(self.pending):
            if not timer[2] and timer[0] <= self.clock.now:
                self.pending.remove(timer)
                timer[1]()


def speak(text: str) -> bytes:
    return loud(LINE_SECONDS)


def _call(number: str, webhooks: FakeWebhooks, *, plane: FakeVoicePlane | None = None, script: dict | None = None,
          machine_detection: bool = True, amd_url: str | None = AMD_URL, time_limit_seconds: float = 600,
          connect=None) -> tuple[CallRecord, FakeClock, FakeVoicePlane, CalleeLineRegistry]:
    clock, registry = FakeClock(), CalleeLineRegistry()
    timers = FakeTimers(clock)
    plane = plane or FakeVoicePlane(clock=clock)
    plane.clock = clock

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        timers.fire_due()

    request = CallRequest(call_id="call_1", to=number, from_="+14155550100", voice_url=VOICE_URL,
                          status_url=STATUS_URL, time_limit_seconds=time_limit_seconds,
                          machine_detection=machine_detection, script=script or {}, amd_url=amd_url)
    record = CallRecord(sid="SB0001", call_id="call_1", to=number, from_="+14155550100")
    SimulatedCall(request, record, post=webhooks.post, sleep=sleep, clock=clock, timings=TIMINGS,
                  connect=connect or plane.connect, callee_lines=registry, render=speak,
                  schedule=timers.schedule).run()
    return record, clock, plane, registry


def _said(record: CallRecord, speaker: str) -> list[dict[str, Any]]:
    return [line for line in record.transcript if line["speaker"] == speaker]


def test_digit_0_rings_then_reports_no_answer_without_asking_for_twiml() -> None:
    webhooks = FakeWebhooks()
    record, clock, plane, _ = _call("+15550000000", webhooks)

    assert webhooks.statuses() == ["ringing", "no-answer"]
    assert not webhooks.to(VOICE_URL) and plane.url is None and record.status == "no-answer"
    assert clock.slept == TIMINGS.ring_seconds
    assert webhooks.to(STATUS_URL)[-1]["CallDuration"] == "0"


def test_digit_1_is_busy() -> None:
    webhooks = FakeWebhooks()
    record, _, _, _ = _call("+15550000001", webhooks)

    assert webhooks.statuses() == ["ringing", "busy"] and record.status == "busy"


def test_connect_stream_opens_the_socket_with_twilios_connected_and_start_then_20_ms_media_frames() -> None:
    webhooks = FakeWebhooks()
    record, _, plane, _ = _call("+15550000008", webhooks)

    assert plane.url == STREAM_URL and plane.closed_by_carrier
    connected, start, *rest = plane.received
    assert connected == {"event": "connected", "protocol": "Call", "version": "1.0.0"}
    assert start["event"] == "start" and start["sequenceNumber"] == "1"
    assert start["start"]["streamSid"] == start["streamSid"] and start["streamSid"].startswith("MZ")
    assert (start["start"]["callSid"], start["start"]["accountSid"]) == ("SB0001", "ACsandbox")
    assert start["start"]["customParameters"] == {"token": "tok-1", "call_id": "call_1"}
    assert start["start"]["mediaFormat"] == {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
    media = [event for event in rest if event["event"] == "media"]
    assert media and all(len(base64.b64decode(event["media"]["payload"])) == 160 for event in media)
    assert [event["media"]["chunk"] for event in media[:3]] == ["1", "2", "3"]
    assert [event["media"]["timestamp"] for event in media[:3]] == ["0", "20", "40"]
    assert [int(event["sequenceNumber"]) for event in rest] == list(range(2, 2 + len(rest)))
    assert {event["media"]["track"] for event in media} == {"inbound"}
    assert record.status == "completed" and webhooks.statuses() == ["ringing", "in-progress", "completed"]
    assert record.stream == {"ended_by": "voice_plane", "close_code": 1000, "clears": 0, "marks": 2}


def test_the_callee_is_quiet_until_the_agent_has_spoken_and_paused_then_says_its_line() -> None:
    clock = FakeClock()
    plane = FakeVoicePlane(clock=clock, opener_seconds=2.0)
    record, _, plane, registry = _call("+15550000008", FakeWebhooks(), plane=plane)

    agent, callee = _said(record, "agent"), _said(record, "callee")
    assert agent[0]["at_ms"] <= 60 and agent[0]["duration_ms"] == pytest.approx(2000, abs=40)
    opener_ended = agent[0]["at_ms"] + agent[0]["duration_ms"]
    assert callee[0]["text"] == YES
    assert callee[0]["at_ms"] == pytest.approx(opener_ended + 700, abs=60)  # once the agent was quiet 0.7 s
    assert registry.spoken("call_1") == (YES,)
    assert [line["speaker"] for line in record.transcript] == ["agent", "callee", "agent"]


def test_each_line_is_registered_the_moment_its_audio_starts() -> None:
    clock = FakeClock()
    registered_when_first_heard: list[tuple[str, ...]] = []

    class Listening(FakeVoicePlane):
        def send(self, message: str) -> None:
            event = json.loads(message)
            if event["event"] == "media" and base64.b64decode(event["media"]["payload"]).strip(b"\xff") \
                    and not registered_when_first_heard:
                registered_when_first_heard.append(registry.spoken("call_1"))
            super().send(message)

    registry = CalleeLineRegistry()
    plane = Listening(clock=clock)
    request = CallRequest("call_1", "+15550000008", "", VOICE_URL, STATUS_URL, 600, False, {})
    SimulatedCall(request, CallRecord("SB1", "call_1", "+15550000008", ""), post=FakeWebhooks().post,
                  sleep=clock.sleep, clock=clock, timings=TIMINGS, connect=plane.connect, callee_lines=registry,
                  render=speak).run()

    assert registered_when_first_heard == [(YES,)]


@pytest.mark.parametrize("digit", list("345678"))
def test_a_person_answers_each_agent_turn_with_its_scripted_lines_the_last_one_repeating(digit: str) -> None:
    number = f"+1555000000{digit}"
    clock = FakeClock()
    record, _, _, registry = _call(number, FakeWebhooks(), plane=FakeVoicePlane(clock=clock, replies=3))

    lines = callee_for(number).lines
    expected = [lines[min(turn, len(lines) - 1)] for turn in range(3)]
    assert [line["text"] for line in _said(record, "callee")] == expected
    assert list(registry.spoken("call_1")) == expected
    assert [line["speaker"] for line in record.transcript] == ["agent", "callee"] * 3 + ["agent"]
    assert record.status == "completed" and record.answered_by == "human"


def test_the_callee_does_not_take_a_pause_inside_the_agents_turn_for_its_end() -> None:
    clock = FakeClock()
    # The opener plays 0-1 s; 0.4 s later (under the 0.7 s the callee waits for) the agent goes on for 0.8 s.
    second_sentence = {"event": "media", "media": {"payload": base64.b64encode(LOUD * 160).decode()}}
    plane = FakeVoicePlane(clock=clock, opener_seconds=1.0, script=[(1.4, second_sentence)] * 40)
    record, _, _, _ = _call("+15550000008", FakeWebhooks(), plane=plane)

    (first_line, *_) = _said(record, "callee")
    assert first_line["at_ms"] == pytest.approx(1400 + 800 + 700, abs=60)


def test_a_click_before_a_stalled_opener_is_not_a_turn_to_answer() -> None:
    clock = FakeClock()
    # 20 ms of sound, then nothing for 1.5 s (a busy voice plane), then the 2 s opener.
    click = {"event": "media", "media": {"payload": base64.b64encode(LOUD * 160).decode()}}
    opener = [(1.5, {"event": "media", "media": {"payload": base64.b64encode(LOUD * 160).decode()}})] * 100
    plane = FakeVoicePlane(clock=clock, opener_seconds=0, script=[(0.0, click), *opener])
    record, _, _, _ = _call("+15550000008", FakeWebhooks(), plane=plane, time_limit_seconds=6)

    (first_line, *_) = _said(record, "callee")
    assert first_line["at_ms"] == pytest.approx(1500 + 2000 + 700, abs=60)  # after the opener, not the click


def test_digit_9_barges_in_during_the_agents_reply_and_the_clear_drops_what_was_buffered() -> None:
    clock = FakeClock()
    plane = FakeVoicePlane(clock=clock, opener_seconds=1.0, reply_seconds=4.0, replies=2)
    record, _, plane, _ = _call("+15550000009", FakeWebhooks(), plane=plane)

    callee, agent = _said(record, "callee"), _said(record, "agent")
    assert [line["text"] for line in callee] == ["Hmm, tell me more.", YES]
    reply = agent[1]  # the 4 s pitch the callee talked over
    assert callee[1]["at_ms"] == pytest.approx(reply["at_ms"] + 1200, abs=60)  # 1.2 s into the agent's reply
    assert reply["interrupted"] is True and reply["duration_ms"] < 2000  # the clear cut the rest of it
    assert [line["speaker"] for line in record.transcript] == ["agent", "callee", "agent", "callee", "agent"]
    assert agent[2]["at_ms"] > callee[1]["at_ms"] + 1000 * LINE_SECONDS  # the next reply came after the callee's
    assert record.stream["clears"] == 1
    marks_back = [event["mark"]["name"] for event in plane.received if event["event"] == "mark"]
    assert marks_back[:2] == ["opener", "reply-1"]  # the cleared reply's mark came back at once


def test_a_mark_is_echoed_once_the_audio_before_it_has_played() -> None:
    clock = FakeClock()
    _, _, plane, _ = _call("+15550000008", FakeWebhooks(), plane=FakeVoicePlane(clock=clock, opener_seconds=2.0))

    first_mark = next(index for index, event in enumerate(plane.received) if event["event"] == "mark")
    frames_before = sum(1 for event in plane.received[:first_mark] if event["event"] == "media")
    assert plane.received[first_mark]["mark"] == {"name": "opener"}
    assert frames_before == pytest.approx(100, abs=2)  # the opener's 2 s, played out in 20 ms frames


def test_an_answering_machine_greets_and_beeps_at_once_then_stays_quiet_and_amd_says_machine() -> None:
    webhooks = FakeWebhooks()
    clock = FakeClock()
    record, _, _, registry = _call("+15550000002", webhooks, plane=FakeVoicePlane(clock=clock, replies=1))

    assert registry.spoken("call_1") == (MACHINE_GREETING,)
    (greeting,) = _said(record, "callee")
    assert greeting["text"] == MACHINE_GREETING and greeting["at_ms"] == 0
    (amd,) = webhooks.to(AMD_URL)
    assert amd["AnsweredBy"] == "machine_end_beep" and amd["CallSid"] == "SB0001"
    assert record.answered_by == "machine_end_beep"
    assert "AnsweredBy" not in webhooks.to(VOICE_URL)[0]  # async AMD: the answer comes by its own webhook
    assert webhooks.to(STATUS_URL)[-1]["AnsweredBy"] == "machine_end_beep"


def test_amd_says_human_for_a_person_after_the_configured_delay_and_only_when_asked() -> None:
    asked = FakeWebhooks()
    _call("+15550000008", asked, plane=FakeVoicePlane(clock=FakeClock(), opener_seconds=3.0))
    not_asked, no_url = FakeWebhooks(), FakeWebhooks()
    _call("+15550000008", not_asked, machine_detection=False)
    _call("+15550000008", no_url, amd_url=None)

    (amd,) = asked.to(AMD_URL)
    assert amd["AnsweredBy"] == "human" and amd["MachineDetectionDuration"] == "1500"
    assert asked.requests.index((AMD_URL, amd)) > asked.requests.index((VOICE_URL, asked.to(VOICE_URL)[0]))
    assert not not_asked.to(AMD_URL) and not no_url.to(AMD_URL)


def test_a_call_over_before_detection_finished_gets_no_amd_result() -> None:
    webhooks = FakeWebhooks(voice="<Response><Hangup/></Response>")
    _call("+15550000008", webhooks)

    assert not webhooks.to(AMD_URL) and webhooks.statuses() == ["ringing", "in-progress", "completed"]


def test_the_time_limit_sends_stop_closes_the_socket_and_ends_the_call() -> None:
    clock = FakeClock()
    plane = FakeVoicePlane(clock=clock, replies=100)
    record, _, plane, _ = _call("+15550000006", FakeWebhooks(), plane=plane, time_limit_seconds=4.5)

    stop = plane.received[-1]
    assert stop["event"] == "stop" and stop["stop"] == {"accountSid": "ACsandbox", "callSid": "SB0001"}
    assert plane.closed_by_carrier and record.stream["ended_by"] == "time_limit"
    assert record.status == "completed" and "time limit" in record.error
    assert record.duration_seconds == 5


@pytest.mark.parametrize(("code", "words"), [(1008, "refused"), (1011, "could not serve")])
def test_a_voice_plane_that_refuses_the_stream_ends_the_call_with_the_reason(code: int, words: str) -> None:
    clock = FakeClock()
    plane = FakeVoicePlane(clock=clock, opener_seconds=0, script=[(0.0, ("close", code))])
    record, _, _, _ = _call("+15550000008", FakeWebhooks(), plane=plane)

    assert record.status == "completed" and words in record.error and str(code) in record.error
    assert record.stream["close_code"] == code


def test_a_stream_that_cannot_open_goes_on_with_the_twiml_and_the_call_completes() -> None:
    record, _, _, _ = _call("+15550000008", FakeWebhooks(), connect=unreachable)

    assert record.status == "completed" and "Connection refused" in record.error and record.stream is None


def test_hangup_twiml_ends_the_call_without_a_stream() -> None:
    webhooks = FakeWebhooks(voice="<Response><Hangup/></Response>")
    record, _, plane, _ = _call("+15550000008", webhooks)

    assert plane.url is None and record.status == "completed" and record.transcript == []


def test_say_and_pauses_are_played_and_the_duration_is_the_answered_time_rounded_up() -> None:
    voice = '<Response><Say>Hold on.</Say><Pause length="3"/><Say>Bye.</Say></Response>'
    webhooks = FakeWebhooks(voice=voice)
    record, clock, _, _ = _call("+15550000008", webhooks)

    assert clock.slept == TIMINGS.ring_seconds + 1.5
    assert [(line["text"], line["at_ms"]) for line in record.transcript] == [("Hold on.", 0), ("Bye.", 1500)]
    final = webhooks.to(STATUS_URL)[-1]
    assert final["CallStatus"] == "completed" and final["CallDuration"] == final["Duration"] == "2"


def test_every_webhook_carries_twilios_parameters_and_status_callbacks_are_numbered() -> None:
    webhooks = FakeWebhooks()
    _call("+15550000008", webhooks)

    for _, params in webhooks.requests:
        assert params["AccountSid"] == "ACsandbox" and params["CallSid"] == "SB0001"
        assert (params["From"], params["To"]) == ("+14155550100", "+15550000008")
        assert (params["Direction"], params["ApiVersion"]) == ("outbound-api", "2010-04-01")
    assert [params["SequenceNumber"] for params in webhooks.to(STATUS_URL)] == ["0", "1", "2"]
    assert webhooks.to(VOICE_URL)[0]["CallStatus"] == "in-progress"


def test_the_script_sent_with_the_call_wins_over_the_numbers_digit() -> None:
    script = asdict(callee_for("+15550000004"))  # what the dialer sends: the campaign's own discount ask
    script["lines"] = ["Could you do 31% off?", YES]
    record, _, _, _ = _call("+15550000008", FakeWebhooks(), script=script,
                            plane=FakeVoicePlane(clock=FakeClock(), replies=2))

    assert [line["text"] for line in _said(record, "callee")] == ["Could you do 31% off?", YES]


@pytest.mark.parametrize("answer", [(500, "boom"), (200, "<Response><Say>unclosed</Response>"), (200, "<html/>")])
def test_a_webhook_answering_an_error_or_invalid_twiml_fails_the_call(answer: tuple[int, str]) -> None:
    webhooks = FakeWebhooks(answers={VOICE_URL: answer})
    record, _, _, _ = _call("+15550000008", webhooks)

    assert record.status == "failed" and record.error
    assert webhooks.statuses() == ["ringing", "in-progress", "failed"]


def test_an_unreachable_webhook_fails_the_call() -> None:
    def unreachable_webhooks(url: str, params: dict[str, str]) -> tuple[int, str]:
        if url == STATUS_URL:
            return 204, ""
        raise WebhookFailed("connection refused")

    clock = FakeClock()
    request = CallRequest("call_1", "+15550000008", "", VOICE_URL, STATUS_URL, 600, True, {})
    record = CallRecord("SB1", "call_1", "+15550000008", "")
    SimulatedCall(request, record, post=unreachable_webhooks, sleep=clock.sleep, clock=clock, timings=TIMINGS).run()

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


def test_the_http_surface_places_a_call_at_once_and_lists_it_with_what_was_said() -> None:
    webhooks = FakeWebhooks()
    plane = FakeVoicePlane(clock=time.monotonic, opener_seconds=0.5, reply_seconds=0.2, reply_delay_seconds=0.1)
    timings = CarrierTimings(ring_seconds=0, reply_after_quiet_seconds=0.1, amd_seconds=0)
    carrier = SandboxCarrier(post=webhooks.post, timings=timings, connect=plane.connect)
    carrier_lines = carrier.callee_lines
    body = json.dumps({"call_id": "call_1", "to": "+15550000008", "from": "+14155550100", "voice_url": VOICE_URL,
                       "status_url": STATUS_URL, "amd_url": AMD_URL, "time_limit_seconds": 300,
                       "machine_detection": True, "script": asdict(callee_for("+15550000008"))}).encode()

    placed = carrier.respond("POST", "/_sandbox/carrier/calls", body)
    again = carrier.respond("POST", "/_sandbox/carrier/calls", body)

    assert placed.status == 201 and json.loads(placed.body)["sid"].startswith("SB")
    assert again.status == 200 and json.loads(again.body)["sid"] == json.loads(placed.body)["sid"]
    deadline = time.monotonic() + 20
    while carrier.recent()[0]["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.05)
    (listed,) = json.loads(carrier.respond("GET", "/_sandbox/carrier/calls", b"").body)
    assert listed["status"] == "completed" and listed["answered_by"] == "human", listed
    assert [line["speaker"] for line in listed["transcript"]] == ["agent", "callee", "agent"]
    assert listed["transcript"][1]["text"] == YES and carrier_lines.spoken("call_1") == (YES,)
    assert webhooks.to(AMD_URL)[0]["AnsweredBy"] == "human"


def test_the_http_surface_refuses_a_call_without_its_urls() -> None:
    carrier = SandboxCarrier(post=FakeWebhooks().post, sleep=lambda _: None, timings=TIMINGS)

    refused = carrier.respond("POST", "/_sandbox/carrier/calls", json.dumps({"call_id": "c", "to": "+1"}).encode())

    assert refused.status == 400 and b"voice_url" in refused.body
    assert carrier.respond("POST", "/_sandbox/carrier/calls", b"not json").status == 400


def test_timings_come_from_the_environment_with_small_defaults() -> None:
    assert CarrierTimings.from_environment({}) == CarrierTimings(0.4, 1.0, 0.6, 1.5, 0.2)
    environment = {"SANDBOX_CARRIER_RING_SECONDS": "0", "SANDBOX_CARRIER_AMD_SECONDS": "0.5",
                   "SANDBOX_CARRIER_TURN_SECONDS": "0.4", "SANDBOX_CARRIER_BARGE_IN_SECONDS": "0.9"}
    assert CarrierTimings.from_environment(environment) == CarrierTimings(0.0, 0.4, 0.9, 0.5, 0.2)
