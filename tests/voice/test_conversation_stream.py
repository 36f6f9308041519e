"""The conversation's rules through the whole voice plane (real socket, serializer, Silero VAD, smart-turn,
aggregation and interruption handling; provider fakes on the wire): the callee cannot cut the opener's
disclosures, Claude's streamed tool call ends the call through the brain, and the keypad's 9 opts out."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.calls.models import Utterance
from shared.conversation import engine
from tests.fakes.anthropic_streaming import ToolUse
from tests.voice.test_media_stream import (  # noqa: F401 (fixtures)
    CALL_ID,
    kept_call,
    opener_played,
    token,
    voice_plane,
)
from tests.voice.twilio_callee import TwilioCallee, speech

FAREWELL = "Wonderful, you're all set. Goodbye!"


@pytest.mark.parametrize("voice_plane", [{"callee_lines": ["Okay, tell me more about it.", "Okay, tell me more."],
                                          "tts_seconds_per_word": 0.04}], indirect=True)
def test_the_callee_talking_over_the_opener_cuts_none_of_its_disclosures_and_is_answered_after_it(
        voice_plane):  # noqa: F811 (the fixture)
    async def call() -> TwilioCallee:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)  # over the opener
        assert await callee.wait_for(lambda: bool(voice_plane.claude.requests), timeout=10)
        await opener_played(callee)
        await callee.close()
        return callee

    callee = asyncio.run(call())

    assert callee.events("clear") == []  # nothing the agent said was dropped
    transcript = [Utterance.model_validate(entry) for entry in kept_call().transcript]
    opener = transcript[0]
    assert opener.speaker == "agent" and not opener.interrupted
    disclosures = voice_plane.rule_book.disclosures
    assert disclosures.ai_disclosure in opener.text and disclosures.recording_notice in opener.text
    # The callee's words were heard and answered once the opener had played.
    assert voice_plane.claude.user_messages()[0] == "Okay, tell me more about it."
    assert any(utterance.speaker == "agent" and utterance.offset_ms > opener.offset_ms for utterance in transcript[1:])


@pytest.mark.parametrize("voice_plane", [{
    "callee_lines": ["Okay, tell me more about it."], "tts_seconds_per_word": 0.02,
    "claude_says": ToolUse("end_call", {"outcome": "converted", "say": FAREWELL}, text="Great.")}], indirect=True)
def test_claudes_streamed_end_call_records_the_outcome_says_the_farewell_and_ends_the_call(
        voice_plane):  # noqa: F811 (the fixture)
    async def call() -> TwilioCallee:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await opener_played(callee)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        assert await callee.closed(timeout=15) is not None  # the brain ended the call after the farewell
        await callee.close()
        return callee

    started = time.monotonic()
    asyncio.run(call())

    asked = voice_plane.claude.requests[0]
    assert {tool["name"] for tool in asked["tools"]} == {"end_call", "propose_concession", "request_callback",
                                                        "transfer_to_human"}
    assert "end_call" in str(asked["system"])  # the prompt says when to use each tool
    assert voice_plane.effects.recorded("outcome") == ["converted"]
    spoken = voice_plane.cartesia.transcripts_joined()
    assert spoken.index("Great.") < spoken.index(FAREWELL)
    assert len(voice_plane.claude.requests) == 1  # the tool's result did not ask the model again
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("voice_plane", [{"callee_lines": [], "tts_seconds_per_word": 0.02}], indirect=True)
def test_the_keypads_9_opts_out_through_the_carriers_dtmf_event(voice_plane):  # noqa: F811 (the fixture)
    async def call() -> None:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await opener_played(callee)
        await callee.press("9")
        await callee.silence(2.0)  # the entry ends after the keypad gap; the goodbye plays
        assert await callee.closed(timeout=10) is not None
        await callee.close()

    asyncio.run(call())
    assert voice_plane.effects.opted_out == ["+14155550123"]
    assert voice_plane.effects.recorded("outcome") == ["opted_out"]
    assert engine.GOODBYE in voice_plane.cartesia.transcripts_joined()
    assert voice_plane.claude.requests == []
