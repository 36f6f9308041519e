"""The sandbox carrier (infra_local/sandbox_call.py) on a real socket to the real voice plane, in real time: its
Twilio-shaped stream is accepted (token check, serializer), the scripted callee's espeak-ng lines are heard as turns
by the production VAD, the agent's audio plays out at the carrier, a barge-in's `clear` is honoured, and when the
voice plane ends the call the carrier completes it. Deepgram, Claude and Cartesia are local fakes of their
streaming APIs (tests/fakes), as in test_media_stream.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from infra_local.sandbox_call import CallRecord, CallRequest, CarrierTimings, SimulatedCall
from infra_local.sandbox_callee_lines import CalleeLineRegistry
from shared.calls import media_tokens
from shared.calls import repository as calls
from shared.calls.models import Call
from shared.conversation.sandbox_callees import YES
from shared.platform import clock
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from tests.fakes.anthropic_streaming import FakeAnthropicStreaming
from tests.fakes.cartesia_tts_ws import FakeCartesiaTts
from tests.fakes.deepgram_listen import FakeDeepgramListen
from tests.voice.conftest import UvicornThread
from voice.call_context import CallContext
from voice.server import create_app
from voice.services import VoiceServices, anthropic_llm, cartesia_tts, deepgram_stt

TENANT_ID = 9
PITCH = ("Khata Cloud keeps all your books in one place, sends your invoices for you, reconciles your bank every "
         "night and files your taxes on time, so you never chase a receipt again.")
TIMINGS = CarrierTimings(ring_seconds=0, reply_after_quiet_seconds=0.7, barge_in_after_seconds=1.2, amd_seconds=0)


@dataclass
class Effects:
    opted_out: list[str]

    def opt_out(self, call: CallContext) -> None:
        self.opted_out.append(call.target_phone)

    def request_callback(self, call, action, utterance) -> None:
        pass


@dataclass
class Plane:
    port: int
    deepgram: FakeDeepgramListen
    claude: FakeAnthropicStreaming
    effects: Effects


@pytest.fixture
def plane(table, request) -> Iterator[Plane]:
    lines, replies = request.param
    rule_book = OfflineComposer().generate(GenerationRequest(
        prompt="Renewal reminders for our accounting software (Khata Cloud); offer up to 10% off.",
        persona_override=None, tenant_country="US")).rule_book
    deepgram, claude = FakeDeepgramListen(lines), FakeAnthropicStreaming(replies)
    cartesia, effects = FakeCartesiaTts(seconds_per_word=0.08), Effects([])

    def services() -> VoiceServices:
        return VoiceServices(stt=lambda call: deepgram_stt(call, api_key="dg", base_url=deepgram.base_url),
                             llm=lambda call: anthropic_llm(call, api_key="sk-ant", base_url=claude.base_url),
                             tts=lambda call: cartesia_tts(call, api_key="ca", url=cartesia.url), effects=effects)

    def load_call(grant, stream) -> CallContext:
        return CallContext(tenant_id=grant.tenant_id, call_id=grant.call_id, workflow_id="wf-1", run_id="run-1",
                           target_phone="+15550000003", rule_book=rule_book, stream=stream)

    server = UvicornThread(create_app(services=services, load_call=load_call))
    with deepgram, claude, cartesia, server:
        yield Plane(server.port, deepgram, claude, effects)


def _call(plane: Plane, number: str, *, time_limit_seconds: float = 30) -> tuple[CallRecord, CalleeLineRegistry]:
    """One sandbox call, start to end, in real time: the voice webhook answers <Connect><Stream> to the plane."""
    call_id = f"call_{number[-4:]}_{time.monotonic_ns()}"
    calls.claim(Call(id=call_id, tenant_id=TENANT_ID, workflow_id="wf-1", run_id="run-1", segment=1,
                     target_phone=number, attempt=1, is_test=True, status="in-progress", created_at=clock.now()))
    token = media_tokens.mint(TENANT_ID, call_id).token
    twiml = (f'<Response><Connect><Stream url="ws://127.0.0.1:{plane.port}/media/twilio">'
             f'<Parameter name="token" value="{token}"/><Parameter name="call_id" value="{call_id}"/>'
             "</Stream></Connect></Response>")

    def post(url: str, params: dict[str, str]) -> tuple[int, str]:
        return (200, twiml) if url.endswith("/voice") else (204, "")

    registry = CalleeLineRegistry()
    request = CallRequest(call_id=call_id, to=number, from_="", voice_url="http://api/voice",
                          status_url="http://api/status", time_limit_seconds=time_limit_seconds,
                          machine_detection=False, script={})
    record = CallRecord(sid="SB" + call_id[-8:], call_id=call_id, to=number, from_="")
    finished = threading.Event()

    def run() -> None:
        try:
            SimulatedCall(request, record, post=post, sleep=time.sleep, timings=TIMINGS, callee_lines=registry).run()
        finally:
            finished.set()

    threading.Thread(target=run, daemon=True).start()
    assert finished.wait(time_limit_seconds + 15), f"the call never ended: {record.as_json()}"
    return record, registry


def _speakers(record: CallRecord) -> list[str]:
    return [line["speaker"] for line in record.transcript]


@pytest.mark.parametrize("plane", [(["Please stop calling me."], ["(unused)"])], indirect=True)
def test_an_opt_out_callee_hears_the_opener_answers_and_the_voice_plane_ends_the_call(plane: Plane) -> None:
    record, registry = _call(plane, "+15550000003")

    assert record.status == "completed" and record.error is None, record.as_json()
    assert record.stream["ended_by"] == "voice_plane"
    assert _speakers(record) == ["agent", "callee", "agent"]  # the opener, the callee's line, the goodbye
    opener, line, goodbye = record.transcript
    assert line["text"] == "Please stop calling me." and registry.spoken(record.call_id) == (line["text"],)
    assert line["at_ms"] >= opener["at_ms"] + opener["duration_ms"] + 700  # it waited for the agent to finish
    assert goodbye["at_ms"] > line["at_ms"]
    assert plane.effects.opted_out == ["+15550000003"]
    assert plane.deepgram.audio_bytes > 16000 * 1.0  # the callee's audio reached STT (8 kHz, 16-bit)
    kept = calls.get(TENANT_ID, record.call_id)
    deadline = time.monotonic() + 10
    while not kept.transcript and time.monotonic() < deadline:
        time.sleep(0.1)
        kept = calls.get(TENANT_ID, record.call_id)
    assert [(utterance["speaker"], utterance["text"]) for utterance in kept.transcript][1] == \
        ("contact", "Please stop calling me.")  # the VAD heard the espeak-ng line as the callee's turn


@pytest.mark.parametrize("plane", [(["Hmm, tell me more.", YES, YES], [PITCH, "Wonderful."])], indirect=True)
def test_a_callee_barging_in_is_heard_and_the_agents_buffered_audio_is_cleared(plane: Plane) -> None:
    record, _ = _call(plane, "+15550000009", time_limit_seconds=14)

    assert record.stream["clears"] >= 1, record.as_json()
    lines = [line for line in record.transcript if line["speaker"] == "callee"]
    assert [line["text"] for line in lines][:2] == ["Hmm, tell me more.", YES]
    pitch = next(line for line in record.transcript
                 if line["speaker"] == "agent" and line["at_ms"] > lines[0]["at_ms"])
    assert lines[1]["at_ms"] < pitch["at_ms"] + pitch["duration_ms"] + 100, record.as_json()  # over the pitch…
    assert pitch["interrupted"] is True  # …and the voice plane's clear cut it short at the carrier
    assert plane.claude.user_messages()[:2] == ["Hmm, tell me more.", YES]
