"""The voice plane over a real WebSocket, as Twilio drives it, against local fakes of Deepgram's streaming
listen socket, Claude's streaming Messages API and Cartesia's TTS socket (the official SDKs / pipecat services
talk to them over the wire). Transport, serializer, Silero VAD, smart-turn, aggregation and interruption
handling are the production ones; the callee's speech is espeak-ng audio (Silero hears it; tones it would not).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from shared.calls import media_tokens
from shared.conversation import engine
from shared.conversation.models import RequestCallback
from shared.platform import clock
from shared.platform.settings import get_settings
from shared.voices.catalogue import find_voice
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from tests.fakes.anthropic_streaming import FakeAnthropicStreaming
from tests.fakes.cartesia_tts_ws import FakeCartesiaTts
from tests.fakes.deepgram_listen import FakeDeepgramListen
from tests.voice.conftest import UvicornThread
from tests.voice.twilio_callee import TwilioCallee, speech, trailing_silence_seconds
from voice.call_context import CallContext
from voice.pipeline import build_pipeline
from voice.server import POLICY_VIOLATION, create_app
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


def start_voice_plane(*, callee_lines: list[str], claude_says: str, tts_seconds_per_word: float
                      ) -> tuple[VoicePlane, list]:
    rule_book = a_rule_book()
    deepgram = FakeDeepgramListen(callee_lines, final_delay_seconds=0.0)
    claude = FakeAnthropicStreaming([claude_says])
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
    """The voice plane and its provider fakes; `request.param` (indirect parametrisation) overrides the script."""
    script = {"callee_lines": ["Okay, tell me more about it.", "Please stop calling me."], "claude_says": CLAUDE_SAYS,
              "tts_seconds_per_word": 0.03, **getattr(request, "param", {})}
    plane, servers = start_voice_plane(**script)
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
    async def call() -> tuple[TwilioCallee, float, float]:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        # The opener is spoken first, unprompted: the callee hears agent audio while still silent.
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        await callee.silence(0.5)
        finished_speaking = await callee.say(speech("tell_me_more"), then_silence_seconds=0.3) \
            - trailing_silence_seconds(speech("tell_me_more"))
        assert await callee.wait_for(lambda: CLAUDE_SAYS in voice_plane.cartesia.transcripts_joined(), timeout=10)
        asked_at = voice_plane.claude.request_times[0]
        assert await callee.wait_for(lambda: any(frame.at > asked_at for frame in callee.agent_audio()), timeout=10)
        first_reply_audio = next(frame.at for frame in callee.agent_audio() if frame.at > asked_at)
        await callee.silence(0.5)
        await callee.say(speech("stop_calling"), then_silence_seconds=0.5)
        assert await callee.closed(timeout=15) is not None  # the voice plane ended the call after the goodbye
        await callee.close()
        return callee, finished_speaking, first_reply_audio

    callee, finished_speaking, first_reply_audio = asyncio.run(call())
    # Not asserted (the figures belong in `make bench`, with the fakes set to the providers' published delays).
    print(f"voice-to-voice with instant fakes: {1000 * (first_reply_audio - finished_speaking):.0f} ms from the end "
          f"of speech (Claude asked after {1000 * (voice_plane.claude.request_times[0] - finished_speaking):.0f} ms)")

    rule_book, settings = voice_plane.rule_book, get_settings()
    spoken = voice_plane.cartesia.transcripts_joined()
    assert spoken.startswith(" ".join(engine.opening(rule_book).say.split()[:5]))  # the opener came first
    assert rule_book.disclosures.ai_disclosure in spoken and rule_book.disclosures.recording_notice in spoken
    # Deepgram: the phone model at 8 kHz got the callee's audio.
    listen = voice_plane.deepgram.sessions[0]
    assert listen.query["model"] == [settings.deepgram_phone_model] and listen.query["sample_rate"] == ["8000"]
    assert voice_plane.deepgram.audio_bytes > 16000
    # Claude, streamed, without thinking, with the rule book's prompt, got the transcript — and only that turn:
    # the opt-out never reached the model.
    asked = voice_plane.claude.requests[0]
    assert asked["stream"] is True and asked["model"] == settings.anthropic_live_model
    assert asked["thinking"] == {"type": "disabled"} and rule_book.system_prompt in str(asked["system"])
    assert voice_plane.claude.user_messages() == ["Okay, tell me more about it."]
    # Cartesia spoke in the persona's voice, at the carrier's rate; the engine's goodbye was said.
    tts_request = voice_plane.cartesia.connections[0].requests[0]
    assert tts_request["voice"] == {"mode": "id", "id": find_voice(rule_book.persona).provider_voice_id}
    assert tts_request["output_format"]["sample_rate"] == 8000
    assert engine.GOODBYE in spoken
    assert voice_plane.effects.opted_out == ["+14155550123"]
    print(f"media frames {len(callee.media())}, audible {len(callee.agent_audio())}")
    assert len(callee.agent_audio()) > 10


def expired_token() -> str:
    clock.freeze(clock.now() - timedelta(seconds=61))
    try:
        return token()
    finally:
        clock.freeze(None)


def spent_token() -> str:
    spent = token()
    media_tokens.verify(spent)
    return spent


def tampered_token() -> str:
    version, payload, signature = token().split(".")
    return f"{version}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"


@pytest.mark.parametrize("parameters", [
    pytest.param(lambda: {"call_id": CALL_ID}, id="missing"),
    pytest.param(lambda: {"token": "", "call_id": CALL_ID}, id="empty"),
    pytest.param(lambda: {"token": tampered_token(), "call_id": CALL_ID}, id="tampered"),
    pytest.param(lambda: {"token": expired_token(), "call_id": CALL_ID}, id="expired"),
    pytest.param(lambda: {"token": spent_token(), "call_id": CALL_ID}, id="reused"),
    pytest.param(lambda: {"token": token("call-0002"), "call_id": CALL_ID}, id="other-call"),
])
def test_a_socket_without_a_valid_token_is_closed_before_any_pipeline_runs(voice_plane, parameters):
    async def call() -> int | None:
        callee = TwilioCallee(voice_plane.url())
        await callee.open(parameters())
        await callee.silence(0.2)
        code = await callee.closed(timeout=5)
        await callee.close()
        return code

    assert asyncio.run(call()) == POLICY_VIOLATION
    assert voice_plane.pipelines == []
    assert voice_plane.deepgram.sessions == [] and voice_plane.cartesia.connections == []


def test_a_socket_that_never_sends_a_start_is_closed_before_any_pipeline_runs(voice_plane):
    async def call() -> int | None:
        from websockets.asyncio.client import connect

        async with connect(voice_plane.url(f"?token={token()}")) as socket:
            await socket.send("not json")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.recv(), 5)
            return socket.close_code

    assert asyncio.run(call()) == POLICY_VIOLATION
    assert voice_plane.pipelines == []


def test_a_valid_token_in_the_query_string_is_accepted_too(voice_plane):
    async def call() -> TwilioCallee:
        callee = TwilioCallee(voice_plane.url(f"?token={token()}"))
        await callee.open()
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        await callee.close()
        return callee

    asyncio.run(call())
    assert len(voice_plane.pipelines) == 1


LONG_REPLY = ("Khata Cloud keeps every invoice, every payment and every ledger in one place, it files your taxes on "
              "time, it reminds your customers to pay, and the annual plan costs less than two months of a bookkeeper.")


@pytest.mark.parametrize("voice_plane", [{"callee_lines": ["Okay, tell me more about it."] * 2,
                                          "claude_says": LONG_REPLY, "tts_seconds_per_word": 0.25}], indirect=True)
def test_barge_in_the_callee_talking_over_the_agent_clears_the_carriers_buffer(voice_plane):
    async def call() -> tuple[TwilioCallee, float]:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        # Claude's long answer is being spoken: agent audio is flowing to the carrier.
        assert await callee.wait_for(lambda: voice_plane.claude.requests and LONG_REPLY.split()[0]
                                     in voice_plane.cartesia.transcripts_joined(), timeout=10)
        await callee.silence(0.5)
        assert callee.received[-1].event == "media"
        interrupted_at = time.monotonic()
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.5)
        await callee.close()
        return callee, interrupted_at

    callee, interrupted_at = asyncio.run(call())

    clears = [message.at for message in callee.events("clear") if message.at >= interrupted_at]
    assert clears, "the voice plane never told the carrier to drop the agent's buffered audio"
    print(f"barge-in: clear sent {1000 * (clears[0] - interrupted_at):.0f} ms after the callee started speaking")
    assert any(connection.cancelled for connection in voice_plane.cartesia.connections)  # the TTS stopped too
