"""Turn-taking through the whole voice plane (real socket, serializer, Silero VAD, smart-turn, aggregation and
interruption handling; provider fakes on the wire): a silent callee is prompted, then let go; a backchannel said
over the agent stops it at once and its reply goes on, without the model."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.conversation import engine
from tests.voice.test_media_stream import CALL_ID, opener_played, token, voice_plane  # noqa: F401 (the fixture)
from tests.voice.twilio_callee import TwilioCallee, speech
from voice.brain import ConversationTiming


@pytest.mark.parametrize("voice_plane", [{"callee_lines": [], "tts_seconds_per_word": 0.02,
                                          "timing": ConversationTiming(silence_seconds=0.8)}], indirect=True)
def test_a_silent_callee_hears_are_you_still_there_then_a_polite_goodbye(voice_plane):  # noqa: F811 (the fixture)
    async def call() -> None:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await opener_played(callee)
        await callee.silence(4.0)
        assert await callee.closed(timeout=10) is not None
        await callee.close()

    asyncio.run(call())
    spoken = voice_plane.cartesia.transcripts_joined()
    assert spoken.index(engine.STILL_THERE) < spoken.index(engine.NO_RESPONSE)
    assert voice_plane.effects.recorded("outcome") == ["no_response"] and voice_plane.claude.requests == []


TWO_SENTENCES = ("Khata Cloud keeps every invoice and every payment in one place. It files your taxes on time, it "
                 "reminds your customers to pay, and the annual plan costs less than two months of a bookkeeper.")


@pytest.mark.parametrize("voice_plane", [{"callee_lines": ["Okay, tell me more about it.", "Yeah."],
                                          "claude_says": TWO_SENTENCES, "tts_seconds_per_word": 0.08}], indirect=True)
def test_a_backchannel_over_the_agent_pauses_it_and_the_reply_goes_on_without_the_model(
        voice_plane):  # noqa: F811 (the fixture)
    sentences = [TWO_SENTENCES.split(". ", 1)[0] + ".", TWO_SENTENCES.split(". ", 1)[1]]

    async def call() -> tuple[TwilioCallee, float, int]:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await opener_played(callee)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        assert await callee.wait_for(lambda: voice_plane.claude.requests and any(
            frame.at > voice_plane.claude.request_times[0] for frame in callee.agent_audio()), timeout=10)
        await callee.silence(0.5)
        said_yeah, asked_before = time.monotonic(), len(voice_plane.cartesia.transcripts)
        await callee.say(speech("yeah"), then_silence_seconds=0.3)
        # The agent picks its reply up again: the cut sentence is sent to the TTS again and reaches the carrier.
        assert await callee.wait_for(lambda: len(voice_plane.cartesia.transcripts) > asked_before, timeout=10)
        await callee.silence(1.0)
        await callee.close()
        return callee, said_yeah, asked_before

    callee, said_yeah, asked_before = asyncio.run(call())

    assert [message for message in callee.events("clear") if message.at >= said_yeah]  # it did stop at once…
    assert len(voice_plane.claude.requests) == 1  # …and "yeah" was no question for the model
    resumed = voice_plane.cartesia.transcripts[asked_before:]
    # From the start of the sentence it was cut in (the whole reply, or its second sentence), sent once.
    assert " ".join(" ".join(resumed).split()) in (TWO_SENTENCES, sentences[1]), resumed
    assert any(frame.at > said_yeah + 0.5 for frame in callee.agent_audio())
