"""The voice plane over a real WebSocket as Exotel's Voicebot applet drives it (`/media/exotel`): the Hindi persona's
Indian numbers. 16-bit PCM at 8 kHz both ways, the media token and our call id on the socket URL's query string,
the same token check and 1008 refusal as Twilio's socket, and the same pipeline behind it (tests/fakes for
Deepgram, Claude and Cartesia).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.conversation import engine
from shared.voices.catalogue import find_voice
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from tests.voice.exotel_callee import FRAME_BYTES, ExotelCallee
from tests.voice.test_media_stream import (
    CALL_ID,
    a_stored_call,
    kept_call,
    spent_token,
    start_voice_plane,
    tampered_token,
    token,
)
from tests.voice.twilio_callee import speech
from voice.server import POLICY_VIOLATION

HINDI_PROMPT = ("Renewal reminders for Khata Cloud, our accounting app, in Hindi for shop owners in India; "
                "offer up to 10% off the annual plan.")
CLAUDE_SAYS = "Zaroor. Khata Cloud aapke saare hisaab ek jagah rakhta hai. Kya main annual plan ke baare mein bataun?"
TELL_ME_MORE = "Achha, aur bataiye."
OPT_OUT = "Mujhe call mat karo."


def hindi_rule_book():
    request = GenerationRequest(prompt=HINDI_PROMPT, persona_override="kavya", tenant_country="IN")
    rule_book = OfflineComposer().generate(request).rule_book
    assert (rule_book.language, rule_book.persona) == ("hi", "kavya")
    return rule_book


@pytest.fixture
def exotel_plane(table):
    a_stored_call()
    plane, servers = start_voice_plane(callee_lines=[TELL_ME_MORE, OPT_OUT], claude_says=CLAUDE_SAYS,
                                       tts_seconds_per_word=0.03, rule_book=hindi_rule_book())
    for server in servers:
        server.__enter__()
    plane.port = servers[-1].port
    yield plane
    for server in reversed(servers):
        server.__exit__(None, None, None)


def exotel_url(plane, **query: str) -> str:
    from urllib.parse import urlencode

    return f"ws://127.0.0.1:{plane.port}/media/exotel" + (f"?{urlencode(query)}" if query else "")


def test_an_exotel_call_in_hindi_runs_end_to_end_with_the_token_on_the_socket_url(exotel_plane):
    async def call() -> ExotelCallee:
        callee = ExotelCallee(exotel_url(exotel_plane, token=token(), call_id=CALL_ID))
        await callee.open()
        # The opener, unprompted; the callee listens to its end, then asks for more.
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        assert await callee.wait_for(lambda: time.monotonic() - callee.agent_audio()[-1].at > 0.3, timeout=10)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        assert await callee.wait_for(lambda: CLAUDE_SAYS in exotel_plane.cartesia.transcripts_joined(), timeout=10)
        await callee.silence(0.5)
        await callee.say(speech("stop_calling"), then_silence_seconds=0.5)
        assert await callee.closed(timeout=15) is not None  # the voice plane ended the call after the goodbye
        await callee.close()
        return callee

    callee = asyncio.run(call())

    rule_book = exotel_plane.rule_book
    # Deepgram heard Hindi, at the carrier's 8 kHz; Cartesia spoke in the Hindi persona's voice, in Hindi.
    listen = exotel_plane.deepgram.sessions[0]
    # Hindi callees mix in English: Deepgram Nova-3 listens in its multilingual mode (settings.deepgram_hindi_*).
    assert listen.query["language"] == ["multi"] and listen.query["model"] == ["nova-3"]
    assert listen.query["sample_rate"] == ["8000"]
    tts_request = exotel_plane.cartesia.connections[0].requests[0]
    assert tts_request["voice"] == {"mode": "id", "id": find_voice("kavya").provider_voice_id}
    assert tts_request["language"] == "hi" and tts_request["output_format"]["sample_rate"] == 8000
    spoken = exotel_plane.cartesia.transcripts_joined()
    assert spoken.startswith(" ".join(engine.opening(rule_book).say.split()[:5]))
    assert rule_book.disclosures.recording_notice in spoken and engine.GOODBYE in spoken
    # Claude got the callee's Hindi line; the opt-out never reached it and put the number on the DNC list.
    assert exotel_plane.claude.user_messages() == [TELL_ME_MORE]
    assert exotel_plane.effects.opted_out == ["+14155550123"]
    # Exotel's wire format back: PCM in 100 ms messages (Exotel's minimum; multiples of 320 bytes, at most 100 KB),
    # addressed to its stream.
    media = callee.media()
    assert len(callee.agent_audio()) > 5
    assert all(frame.payload_bytes % 320 == 0 for frame in media)
    assert {frame.payload_bytes for frame in callee.agent_audio()} == {FRAME_BYTES}
    assert all(frame.payload_bytes <= 100_000 for frame in media)  # the end-of-call silence too
    assert callee.sent_stream_sids == {callee.stream_sid}
    # What it kept: the transcript of both sides.
    said = [(entry["speaker"], entry["text"]) for entry in kept_call().transcript]
    assert ("contact", TELL_ME_MORE) in said and ("agent", CLAUDE_SAYS) in said


def test_the_token_may_come_as_custom_parameters_of_the_start_message(exotel_plane):
    async def call() -> ExotelCallee:
        callee = ExotelCallee(exotel_url(exotel_plane))
        await callee.open({"token": token(), "call_id": CALL_ID})
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        await callee.close()
        return callee

    asyncio.run(call())
    assert len(exotel_plane.pipelines) == 1


@pytest.mark.parametrize("query", [
    pytest.param(lambda: {"call_id": CALL_ID}, id="missing"),
    pytest.param(lambda: {"token": tampered_token(), "call_id": CALL_ID}, id="tampered"),
    pytest.param(lambda: {"token": spent_token(), "call_id": CALL_ID}, id="reused"),
    pytest.param(lambda: {"token": token("call-0002"), "call_id": CALL_ID}, id="other-call"),
])
def test_an_exotel_socket_without_a_valid_token_is_closed_with_1008_before_any_pipeline_runs(exotel_plane, query):
    async def call() -> int | None:
        callee = ExotelCallee(exotel_url(exotel_plane, **query()))
        await callee.open()
        await callee.silence(0.2)
        code = await callee.closed(timeout=5)
        await callee.close()
        return code

    assert asyncio.run(call()) == POLICY_VIOLATION
    assert exotel_plane.pipelines == []
    assert exotel_plane.deepgram.sessions == [] and exotel_plane.cartesia.connections == []


@pytest.mark.parametrize("media_format", [
    pytest.param({"encoding": "audio/x-mulaw", "sample_rate": "8000", "bit_rate": "8"}, id="mulaw"),
    pytest.param({"encoding": "audio/x-raw", "sample_rate": "16000", "bit_rate": "16"}, id="16kHz"),
    pytest.param({"encoding": "audio/L16;rate=16000"}, id="16kHz-in-the-encoding"),
])
def test_a_stream_in_another_media_format_is_refused_rather_than_heard_as_noise(exotel_plane, media_format):
    async def call() -> int | None:
        callee = ExotelCallee(exotel_url(exotel_plane, token=token(), call_id=CALL_ID))
        await callee.open(media_format=media_format)
        code = await callee.closed(timeout=5)
        await callee.close()
        return code

    assert asyncio.run(call()) == POLICY_VIOLATION
    assert exotel_plane.pipelines == []
