"""Answering machines: by the carrier's AMD verdict recorded on the call (read while the call is young) and by the
greeting's own words; the opener stops, the rule book's voicemail is left once the greeting and its beep are over
(or the call just hangs up), the outcome "voicemail" is written first — and no model ever talks to a machine."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import InterruptionFrame, VADUserStartedSpeakingFrame, VADUserStoppedSpeakingFrame

from shared.conversation import engine
from shared.workflows.rule_book import VoicemailPolicy
from tests.voice.recording_effects import RecordingEffects
from tests.voice.test_brain import RULE_BOOK, conversation, run
from voice.answering_machine import is_machine, sounds_like_greeting

MESSAGE = "Hi, this is Amelia from Khata Cloud about your plan renewal. We'll try you again soon. Goodbye."
LEAVES_A_MESSAGE = RULE_BOOK.model_copy(update={"voicemail_policy": VoicemailPolicy(action="leave_message",
                                                                                     message=MESSAGE)})


def test_the_carriers_machine_verdict_stops_the_opener_and_leaves_the_voicemail_after_the_greeting():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, LEAVES_A_MESSAGE)
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)  # the opener starts…
            await call.send(VADUserStartedSpeakingFrame())  # …over the machine's greeting
            effects.amd_verdict = "machine_end_beep"
            assert await call.until(lambda: brain.mode == "voicemail")
            assert await call.until(lambda: any(isinstance(frame, InterruptionFrame) for frame in call.down))
            await asyncio.sleep(0.15)
            assert call.spoken()[-1] != MESSAGE  # not while the greeting still plays
            await call.send(VADUserStoppedSpeakingFrame())
            assert await call.until(lambda: call.ended)
            assert brain.floor_held()  # the machine's beep cannot cut the message off

    run(scenario)
    assert effects.timeline[-1] == ("say", MESSAGE)
    assert effects.recorded("outcome") == ["voicemail"] and effects.recorded("answered_by") == ["machine"]


def test_a_mailbox_greeting_is_recognised_by_its_words_when_the_carrier_gives_no_verdict():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects, LEAVES_A_MESSAGE)
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.callee_says("Hi, you've reached Priya. I can't take your call, please leave a message after "
                                   "the tone.")
            assert await call.until(lambda: call.ended)
            assert call.model_turns() == 0

    run(scenario)
    assert effects.timeline[-1] == ("say", MESSAGE) and effects.recorded("outcome") == ["voicemail"]


def test_a_rule_book_that_hangs_up_on_machines_leaves_nothing():
    effects = RecordingEffects(amd_verdict="machine_start")

    async def scenario():
        _, call = conversation(effects, RULE_BOOK)  # voicemail_policy: hang_up
        async with call:
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert [text for kind, text in effects.timeline if kind == "say"] == [engine.opening(RULE_BOOK).say]
    assert effects.recorded("outcome") == ["voicemail"]


def test_a_late_machine_verdict_does_not_end_a_real_conversation():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, LEAVES_A_MESSAGE)
        async with call:
            await call.after_the_opener(LEAVES_A_MESSAGE)
            await call.callee_says("Who is this?")
            await call.agent_speaks()
            await call.callee_says("Okay, what is it about?")
            assert await call.until(lambda: call.model_turns() == 2)
            effects.amd_verdict = "machine_end_other"
            await asyncio.sleep(0.1)
            assert brain.mode == "talking" and not call.ended

    run(scenario)


def test_what_counts_as_a_machine_and_as_a_greeting():
    assert all(is_machine(verdict) for verdict in ("machine_start", "machine_end_beep", "machine", "fax"))
    assert not any(is_machine(verdict) for verdict in ("human", "unknown", None, ""))
    assert sounds_like_greeting("The person you are calling is not available.")
    assert not sounds_like_greeting("Yes, speaking. Who is this?")
