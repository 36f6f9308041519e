"""The voice plane over a real WebSocket, as Twilio drives it, against local fakes of Deepgram's streaming
listen socket, Claude's streaming Messages API and Cartesia's TTS socket (the official SDKs / pipecat services
talk to them over the wire). Transport, serializer, Silero VAD, smart-turn, aggregation and interruption
handling are the production ones; the callee's speech is espeak-ng audio (Silero hears it; tones it would not).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from shared.calls import media_tokens
from shared.conversation import engine
from shared.conversation.models import RequestCallback
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from tests.fakes.anthropic_streaming import FakeAnthropicStreaming
from tests.fakes.cartesia_tts_ws import FakeCartesiaTts
from tests.fakes.deepgram_listen import FakeDeepgramListen
from tests.voice.conftest import UvicornThread
from tests.voice.twilio_callee import TwilioCallee, speech
from voice.call_context import CallContext
from voice.pipeline import build_pipeline
from voice.server import create_app
from voice.services import VoiceServices, anthropic_llm, cartesia_tts, deepgram_stt

PROMPT = "Renewal reminders for our accounting software (Khata Cloud); offer up to 10% off the annual plan."
CLAUDE_SAYS = "Of course. Khata Cloud keeps your books in one place. Shall I tell you about the annual plan?"
CALL_ID = "call-0001"
TENANT_ID = 7


@dataclass
class RecordingEffects:
    opted_out: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)

    def opt_out(self, call: CallContext) -> None:
        self.opted_out.append(call.target_phone)

    def request_callback(self, call: CallContext, action: RequestCallback, utterance: str) -> None:
        self.callbacks.append(action.when_text)


@dataclass
class VoicePlane:
    port: int
    deepgram: FakeDeepgramListen
    claude: FakeAnthropicStreaming
    cartesia: FakeCartesiaTts
    effects: RecordingEffects
    pipelines: list
    rule_book: object

    def url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/media/twilio{query}"


def a_rule_book():
    request = GenerationRequest(prompt=PROMPT, persona_override=None, tenant_country="US")
    return OfflineComposer().generate(request).rule_book


def start_voice_plane(table, *, tts_seconds_per_word: float) -> tuple[VoicePlane, list]:
    rule_book = a_rule_book()
    deepgram = FakeDeepgramListen(["Okay, tell me more about it.", "Please stop calling me."], final_delay_seconds=0.0)
    claude = FakeAnthropicStreaming([CLAUDE_SAYS])
    cartesia = FakeCartesiaTts(seconds_per_word=tts_seconds_per_word)
    effects = RecordingEffects()
    pipelines: list = []

    def services() -> VoiceServices:
        return VoiceServices(
            stt=lambda call: deepgram_stt(call, api_key="dg-test", base_url=deepgram.base_url),
            llm=lambda call: anthropic_llm(call, api_key="sk-ant-test", base_url=claude.base_url),
            tts=lambda call: cartesia_tts(call, api_key="ca-test", url=cartesia.url),
            effects=effects)

    def load_call(grant, stream) -> CallContext:
        return CallContext(tenant_id=grant.tenant_id, call_id=grant.call_id, workflow_id="wf-1", run_id="run-1",
                           target_phone="+14155550123", rule_book=rule_book, stream=stream)

    def builder(call, chosen_services, websocket):
        pipeline = build_pipeline(call, chosen_services, websocket)
        pipelines.append(pipeline)
        return pipeline

    app = create_app(services=services, load_call=load_call, pipeline_builder=builder)
    return VoicePlane(0, deepgram, claude, cartesia, effects, pipelines, rule_book), [deepgram, claude, cartesia,
                                                                                       UvicornThread(app)]


@pytest.fixture
def voice_plane(table, request):
    plane, servers = start_voice_plane(table, tts_seconds_per_word=getattr(request, "param", 0.03))
    for server in servers:
        server.__enter__()
    plane.port = servers[-1].port
    yield plane
    for server in reversed(servers):
        server.__exit__(None, None, None)


def token(call_id: str = CALL_ID) -> str:
    return media_tokens.mint(TENANT_ID, call_id).token


def test_the_health_check_answers(voice_plane):
    import requests

    reply = requests.get(f"http://127.0.0.1:{voice_plane.port}/healthz", timeout=5)
    assert reply.status_code == 200 and reply.json() == {"status": "ok", "active_calls": 0}


def test_a_conversation_opener_first_then_streamed_turns_and_an_opt_out_ends_the_call(voice_plane):
    async def call() -> TwilioCallee:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        # The opener is spoken first, unprompted: the callee hears agent audio while still silent.
        assert await callee.wait_for(lambda: len(callee.media()) > 0, timeout=10)
        await callee.silence(1.0)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        assert await callee.wait_for(lambda: CLAUDE_SAYS in voice_plane.cartesia.transcripts_joined(), timeout=10)
        await callee.silence(0.5)
        await callee.say(speech("stop_calling"), then_silence_seconds=0.3)
        await callee.silence(1.0)
        assert await callee.closed(timeout=15) is not None
        await callee.close()
        return callee

    callee = asyncio.run(call())

    opener = engine.opening(voice_plane.rule_book).say
    spoken = voice_plane.cartesia.transcripts_joined()
    assert spoken.startswith(opener.split()[0]) and voice_plane.rule_book.disclosures.recording_notice in spoken
    assert voice_plane.deepgram.audio_bytes > 8000  # the callee's audio reached STT
    assert voice_plane.claude.user_messages() == ["Okay, tell me more about it."]  # the opt-out never reached Claude
    assert voice_plane.effects.opted_out == ["+14155550123"]
    assert engine.GOODBYE in spoken
    assert len(callee.media()) > 10
