"""The voice plane over a real WebSocket, as Twilio drives it, against local fakes of Deepgram's streaming
listen socket, Claude's streaming Messages API and Cartesia's TTS socket (the official SDKs / pipecat services
talk to them over the wire). Transport, serializer, Silero VAD, smart-turn, aggregation and interruption
handling are the production ones; the callee's speech is espeak-ng audio (Silero hears it; tones it would not).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import io
import time
import wave
from dataclasses import dataclass
from datetime import timedelta

import pytest

from shared.auth.principal import Principal, Scope
from shared.billing.models import Wallet
from shared.calls import media_tokens, service
from shared.calls import repository as calls
from shared.calls.models import Call, Utterance
from shared.conversation import engine
from shared.dsr.footprint import recording_keys
from shared.platform import clock
from shared.platform.aws import client
from shared.platform.settings import get_settings
from shared.voices.catalogue import find_voice
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from tests.fakes.anthropic_streaming import FakeAnthropicStreaming
from tests.fakes.cartesia_tts_ws import FakeCartesiaTts
from tests.fakes.deepgram_listen import FakeDeepgramListen
from tests.voice.conftest import UvicornThread
from tests.voice.recording_effects import RecordingEffects
from tests.voice.twilio_callee import TwilioCallee, speech, trailing_silence_seconds
from voice.brain import ConversationTiming
from voice.call_context import CallContext
from voice.pipeline import build_pipeline
from voice.server import POLICY_VIOLATION, create_app
from voice.services import VoiceServices, anthropic_llm, cartesia_tts, deepgram_stt

PROMPT = "Renewal reminders for our accounting software (Khata Cloud); offer up to 10% off the annual plan."
CLAUDE_SAYS = "Of course. Khata Cloud keeps your books in one place. Shall I tell you about the annual plan?"
CALL_ID = "call-0001"
TENANT_ID = 7


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


def start_voice_plane(*, callee_lines: list[str], claude_says: str, tts_seconds_per_word: float, rule_book=None,
                      timing: ConversationTiming | None = None, **app_options) -> tuple[VoicePlane, list]:
    rule_book = rule_book or a_rule_book()
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
        pipeline = build_pipeline(call, chosen_services, websocket, timing=timing)
        pipelines.append(pipeline)
        return pipeline

    app = create_app(services=services, load_call=load_call, pipeline_builder=builder, **app_options)
    return VoicePlane(0, deepgram, claude, cartesia, effects, pipelines, rule_book), [deepgram, claude, cartesia,
                                                                                       UvicornThread(app)]


def a_stored_call() -> None:
    """CALL_ID as the dialer stores it (no transcript, latency or recording yet), and no recording in the bucket."""
    for key in recording_keys(TENANT_ID, CALL_ID):
        client("s3").delete_object(Bucket=get_settings().media_bucket, Key=key)
    calls.delete(TENANT_ID, CALL_ID)
    calls.claim(Call(id=CALL_ID, tenant_id=TENANT_ID, workflow_id="wf-1", run_id="run-1", segment=1,
                     target_phone="+14155550123", attempt=1, is_test=False, status="in-progress",
                     created_at=clock.now()))


def kept_call(timeout: float = 10.0) -> Call:
    """The call once the voice plane has written what it kept (at the end of the call, after the socket closed)."""
    deadline = time.monotonic() + timeout
    while True:
        call = calls.get(TENANT_ID, CALL_ID)
        if (call is not None and call.transcript) or time.monotonic() > deadline:
            assert call is not None and call.transcript, "the voice plane never wrote the call's transcript"
            return call
        time.sleep(0.05)


@pytest.fixture
def voice_plane(table, request):
    """The voice plane and its provider fakes; `request.param` (indirect parametrisation) overrides the script."""
    a_stored_call()
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


def converse(voice_plane: VoicePlane) -> tuple[TwilioCallee, float, float, float]:
    """Opener, "tell me more" (Claude answers), "please stop calling me" (goodbye, hang-up). Returns the callee,
    when its first line's speech ended, when the reply's first audio arrived, and how long the call lasted."""
    async def call() -> tuple[TwilioCallee, float, float, float]:
        callee = TwilioCallee(voice_plane.url())
        opened = time.monotonic()
        await callee.open({"token": token(), "call_id": CALL_ID})
        # The opener is spoken first, unprompted: the callee hears agent audio while still silent, to its end.
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        assert await callee.wait_for(lambda: time.monotonic() - callee.agent_audio()[-1].at > 0.3, timeout=10)
        finished_speaking = await callee.say(speech("tell_me_more"), then_silence_seconds=0.3) \
            - trailing_silence_seconds(speech("tell_me_more"))
        assert await callee.wait_for(lambda: CLAUDE_SAYS in voice_plane.cartesia.transcripts_joined(), timeout=10)
        asked_at = voice_plane.claude.request_times[0]
        assert await callee.wait_for(lambda: any(frame.at > asked_at for frame in callee.agent_audio()), timeout=10)
        first_reply_audio = next(frame.at for frame in callee.agent_audio() if frame.at > asked_at)
        await callee.silence(0.5)
        await callee.say(speech("stop_calling"), then_silence_seconds=0.5)
        assert await callee.closed(timeout=15) is not None  # the voice plane ended the call after the goodbye
        lasted = time.monotonic() - opened
        await callee.close()
        return callee, finished_speaking, first_reply_audio, lasted

    return asyncio.run(call())


def test_a_conversation_opener_first_then_streamed_turns_and_an_opt_out_ends_the_call(voice_plane):
    callee, finished_speaking, first_reply_audio, _ = converse(voice_plane)
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
    assert listen.extensions is None  # its socket offers no permessage-deflate: PCM hardly compresses, CPU is dear
    # Claude, streamed, without thinking, with the rule book's prompt, got the transcript — and only that turn:
    # the opt-out never reached the model.
    asked = voice_plane.claude.requests[0]
    assert asked["stream"] is True and asked["model"] == settings.anthropic_live_model
    assert asked["thinking"] == {"type": "disabled"} and rule_book.system_prompt in str(asked["system"])
    assert voice_plane.claude.user_messages() == ["Okay, tell me more about it."]
    # Cartesia spoke in the persona's voice, at the carrier's rate; the engine's goodbye was said.
    tts_request = voice_plane.cartesia.connections[0].requests[0]
    assert "Sec-WebSocket-Extensions" not in voice_plane.cartesia.connections[0].headers  # nor does Cartesia's
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
                                          "claude_says": LONG_REPLY, "tts_seconds_per_word": 0.05}], indirect=True)
def test_barge_in_the_callee_talking_over_the_agent_clears_the_carriers_buffer_and_the_agent_stops(voice_plane):
    async def call() -> tuple[TwilioCallee, float]:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await opener_played(callee)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        # Claude's long answer is being spoken: agent audio is flowing to the carrier.
        assert await callee.wait_for(lambda: voice_plane.claude.requests and any(
            frame.at > voice_plane.claude.request_times[0] for frame in callee.agent_audio()), timeout=10)
        await callee.silence(0.6)
        assert callee.received[-1].event == "media"
        interrupted_at = time.monotonic()
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.5)
        await callee.close()
        return callee, interrupted_at

    callee, interrupted_at = asyncio.run(call())

    clears = [message.at for message in callee.events("clear") if message.at >= interrupted_at]
    assert clears, "the voice plane never told the carrier to drop the agent's buffered audio"
    print(f"barge-in: clear sent {1000 * (clears[0] - interrupted_at):.0f} ms after the callee started speaking")
    # The agent stopped: none of the cut reply's audio reached the carrier after the clear (until the next reply).
    next_reply = voice_plane.claude.request_times[1] if len(voice_plane.claude.request_times) > 1 else float("inf")
    assert [frame for frame in callee.agent_audio() if clears[0] + 0.1 < frame.at < next_reply] == []

    # The transcript keeps what the callee actually heard: the cut-off reply's first words, marked interrupted.
    transcript = [Utterance.model_validate(entry) for entry in kept_call().transcript]
    cut = [utterance for utterance in transcript if utterance.speaker == "agent" and utterance.interrupted]
    reply = [utterance for utterance in cut if LONG_REPLY.startswith(utterance.text)]
    assert reply and len(reply[-1].text.split()) < len(LONG_REPLY.split()), [u.text for u in transcript]
    # The opener had played whole before: it was not cut, and the recording started after its notice.
    assert not transcript[0].interrupted
    assert voice_plane.rule_book.disclosures.recording_notice in transcript[0].text


async def opener_played(callee: TwilioCallee) -> None:
    """Wait for the opener's audio to start, then to have been quiet a moment (it has played whole)."""
    assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
    assert await callee.wait_for(lambda: time.monotonic() - callee.agent_audio()[-1].at > 0.3, timeout=15)


def audible_ms(channel: array.array, block: int = 160, loud: int = 500) -> int:
    """How much of one channel of the recording (8 kHz) carries sound, in 20 ms blocks."""
    blocks = (channel[start:start + block] for start in range(0, len(channel), block))
    return 20 * sum(1 for samples in blocks if samples and (sum(s * s for s in samples) / len(samples)) ** 0.5 > loud)


def test_a_conversation_leaves_its_transcript_turn_latencies_and_a_two_channel_recording_on_the_call(voice_plane):
    callee, finished_speaking, first_reply_audio, call_seconds = converse(voice_plane)
    call = kept_call()
    print(f"the callee's own measure of the first reply: {1000 * (first_reply_audio - finished_speaking):.0f} ms")

    rule_book = voice_plane.rule_book
    transcript = [Utterance.model_validate(entry) for entry in call.transcript]
    said = [(utterance.speaker, utterance.text) for utterance in transcript]
    # Both sides, in the order spoken, each offset later than the one before, nothing cut off.
    assert said[0][0] == "agent" and rule_book.disclosures.recording_notice in said[0][1]  # the opener
    assert ("contact", "Okay, tell me more about it.") in said and ("contact", "Please stop calling me.") in said
    assert ("agent", CLAUDE_SAYS) in said and said[-1] == ("agent", engine.GOODBYE)
    assert [speaker for speaker, _ in said] == ["agent", "contact", "agent", "contact", "agent"]
    offsets = [utterance.offset_ms for utterance in transcript]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets) and offsets[-1] < call_seconds * 1000
    assert not any(utterance.interrupted for utterance in transcript)
    # One latency per agent turn that answered the callee (Claude's reply, the goodbye), end of speech → audio.
    assert len(call.turn_latencies_ms) == 2 and all(0 < latency < 5000 for latency in call.turn_latencies_ms)
    # Measured inside the voice plane (from the VAD's end of speech to the audio leaving), never more than what
    # the callee itself saw from the end of its line to the reply's first audio.
    assert call.turn_latencies_ms[0] <= 1000 * (first_reply_audio - finished_speaking) + 50
    print(f"turn latencies {call.turn_latencies_ms} ms, transcript offsets {offsets} ms")

    # The recording: a stereo WAV under the call's own prefix, contact left and agent right.
    recording = call.recording
    assert recording is not None and recording.channels == 2
    assert recording.key.startswith(f"recordings/{TENANT_ID}/{CALL_ID}/")
    assert recording_keys(TENANT_ID, CALL_ID) == [recording.key]
    stored = client("s3").get_object(Bucket=get_settings().media_bucket, Key=recording.key)
    assert stored["ContentType"] == "audio/wav"
    with wave.open(io.BytesIO(stored["Body"].read())) as wav:
        assert wav.getnchannels() == 2 and wav.getsampwidth() == 2 and wav.getframerate() == 8000
        assert abs(1000 * wav.getnframes() / 8000 - recording.duration_ms) <= 1
        samples = array.array("h", wav.readframes(wav.getnframes()))
    contact, agent = samples[0::2], samples[1::2]
    assert audible_ms(contact) > 1000  # the callee's two lines
    # Started once the opener (with its recording notice) had been spoken: the agent's channel holds the reply
    # and the goodbye, not the opener, although the callee heard all three.
    seconds_per_word = voice_plane.cartesia.seconds_per_word
    opener_ms, reply_ms, goodbye_ms = (1000 * seconds_per_word * len(text.split()) for text in (
        engine.opening(rule_book).say, CLAUDE_SAYS, engine.GOODBYE))
    heard_ms = sum(frame.payload_bytes for frame in callee.agent_audio()) / 8  # 8 kHz μ-law: 8 bytes a ms
    assert heard_ms > opener_ms + reply_ms
    assert 1000 < recording.duration_ms <= 1000 * call_seconds - opener_ms
    recorded_ms = audible_ms(agent)
    print(f"recording {recording.duration_ms} ms of a {1000 * call_seconds:.0f} ms call; agent audio heard "
          f"{heard_ms:.0f} ms, recorded {recorded_ms} ms (opener {opener_ms:.0f}, reply + goodbye "
          f"{reply_ms + goodbye_ms:.0f})")
    assert (reply_ms + goodbye_ms) / 2 < recorded_ms < reply_ms + goodbye_ms + opener_ms / 2

    # What the calls API answers for it (GET /api/calls/{id} is this service call behind the handler).
    owner = Principal(TENANT_ID, "api_key", Scope.READ, None,
                      wallet=Wallet.model_construct(tenant_id=TENANT_ID, currency="USD"))
    detail = service.get_call(owner, CALL_ID)
    assert [line.speaker for line in detail.transcript] == ["agent", "contact", "agent", "contact", "agent"]
    assert detail.latency is not None and detail.latency.turns == 2
    assert detail.recording is not None and detail.recording.channels == 2 and detail.has_recording
    assert detail.recording.duration_ms == recording.duration_ms
