"""The brain holds the turn engine's rules in the streamed pipeline (driven frame by frame, no sockets): the opener
first with the floor held, an opt-out or the time limit ends the call without asking the model (the outcome
written before the farewell), a callback request is passed on to a human, a percent the callee names is judged
before any model sees it, the keypad, silence, answering machines and backchannels; every other turn goes on to
the model."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    InputDTMFFrame,
    InterruptionFrame,
    LLMContextFrame,
    UserStartedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameProcessor

from shared.conversation import engine
from shared.platform import clock
from tests.voice.call_harness import CallHarness
from tests.voice.recording_effects import RecordingEffects
from tests.voice.test_media_stream import a_rule_book
from voice.brain import ConversationBrain, ConversationTiming
from voice.call_context import CallContext, MediaStream

RULE_BOOK = a_rule_book()
CALLEE = "+14155550123"
FAST = ConversationTiming(approval_poll_seconds=0.02, hold_reminder_seconds=60, amd_poll_seconds=0.02,
                          greeting_quiet_seconds=0.05, greeting_wait_seconds=2, keypad_gap_seconds=0.05)


def a_call(rule_book=RULE_BOOK) -> CallContext:
    return CallContext(tenant_id=7, call_id="call-1", workflow_id="wf-1", run_id="run-1", target_phone=CALLEE,
                       rule_book=rule_book, stream=MediaStream(stream_sid="MZ1", carrier_call_sid="CA1"))


def with_concessions(auto: int = 10, hard: int | None = 30):
    return RULE_BOOK.model_copy(update={"concession_policy": RULE_BOOK.concession_policy.model_copy(
        update={"auto_approve_percent": auto, "hard_max_percent": hard})})


def conversation(effects: RecordingEffects, rule_book=RULE_BOOK, timing: ConversationTiming = FAST,
                 *more: FrameProcessor, **options) -> tuple[ConversationBrain, CallHarness]:
    """The brain (then `more`: a model, the guard) between the test's callee and what the TTS is asked to say."""
    context = LLMContext()
    brain = ConversationBrain(a_call(rule_book), effects, timing=timing, context=context, **options)
    return brain, CallHarness(brain, *more, context=context, timeline=getattr(effects, "timeline", None),
                              on_turn=brain.callee_turn_heard)


def run(scenario) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 20))


def test_the_opener_with_both_disclosures_is_spoken_first_unprompted_with_the_floor_held_until_it_has_played():
    async def scenario():
        brain, call = conversation(RecordingEffects())
        async with call:
            assert await call.until(lambda: call.spoken() == [engine.opening(RULE_BOOK).say])
            assert brain.floor_held()  # the callee's speech cannot cut the disclosures
            await call.agent_speaks(0.05)
            assert await call.until(lambda: not brain.floor_held())

    run(scenario)
    opener = engine.opening(RULE_BOOK).say
    assert RULE_BOOK.disclosures.ai_disclosure in opener and RULE_BOOK.disclosures.recording_notice in opener


def test_an_ordinary_turn_goes_on_to_the_model_and_a_person_is_recorded_as_having_answered():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Okay, tell me more.")
            assert await call.until(lambda: call.model_turns() == 1)
            assert await call.until(lambda: effects.recorded("answered_by") == ["human"])
            assert not call.ended

    run(scenario)


def test_an_opt_out_writes_the_dnc_list_and_the_outcome_before_the_goodbye_and_ends_the_call_without_the_model():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Please stop calling me.")
            assert await call.until(lambda: call.ended)
            assert call.model_turns() == 0

    run(scenario)
    assert effects.opted_out == [CALLEE]
    steps = [kind if kind != "record" else f"record:{detail.get('outcome')}" for kind, detail in effects.timeline]
    assert steps.index("opt_out") < steps.index("record:opted_out") < len(steps) - 1
    assert effects.timeline[-1] == ("say", engine.GOODBYE)
    assert effects.recorded("answered_by")[-1] == "human"


def test_a_bare_stop_as_the_opener_offers_is_an_opt_out():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Stop.")
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.opted_out == [CALLEE] and effects.recorded("outcome") == ["opted_out"]


def test_an_opt_out_said_over_the_opener_stops_it_and_says_goodbye_at_once():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            assert await call.until(lambda: call.spoken() == [engine.opening(RULE_BOOK).say])
            await call.report(BotStartedSpeakingFrame())
            await call.callee_says("Don't call me again.")
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.opted_out == [CALLEE]


def test_a_turn_after_the_call_is_ending_is_not_sent_to_the_model():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Remove me from your list.")
            await call.callee_says("Hello?")
            assert await call.until(lambda: call.ended)
            assert call.model_turns() == 0

    run(scenario)


def test_a_callback_request_goes_to_a_human_records_the_outcome_and_ends_the_call():
    rule_book = RULE_BOOK.model_copy(update={"callback_policy": RULE_BOOK.callback_policy.model_copy(
        update={"allowed": True})})
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects, rule_book)
        async with call:
            await call.after_the_opener(rule_book)
            await call.callee_says("Can you call me back tomorrow?")
            assert await call.until(lambda: call.ended)
            assert call.model_turns() == 0

    run(scenario)
    assert effects.callbacks == ["tomorrow"] and "tomorrow" in effects.timeline[-1][1]
    assert effects.recorded("outcome") == ["callback"] and effects.recorded("approval_ids") == [["apr_callback_1"]]


def test_the_call_ends_at_a_turn_once_the_rule_books_time_is_up():
    effects = RecordingEffects()

    async def scenario():
        answered = clock.now() - timedelta(seconds=RULE_BOOK.max_call_seconds + 1)
        _, call = conversation(effects, started_at=answered)
        async with call:
            await call.callee_says("Okay, and what else?")
            assert await call.until(lambda: call.ended)
            assert call.model_turns() == 0

    run(scenario)
    assert effects.timeline[-1] == ("say", engine.OUT_OF_TIME)


def test_the_call_ends_politely_at_its_maximum_length_even_when_nobody_speaks():
    effects = RecordingEffects()

    async def scenario():
        answered = clock.now() - timedelta(seconds=RULE_BOOK.max_call_seconds - 0.3)
        _, call = conversation(effects, started_at=answered)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            assert await call.until(lambda: call.ended, timeout=3)

    run(scenario)
    assert effects.timeline[-1] == ("say", engine.OUT_OF_TIME) and effects.recorded("outcome") == ["failed"]


def test_a_percent_within_the_auto_approve_limit_is_granted_in_the_engines_words_without_the_model():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects, with_concessions(auto=10, hard=30))
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Could you do 10% off?")
            assert await call.until(lambda: len(call.spoken()) == 2)
            assert call.model_turns() == 0
            spoken.extend(call.spoken())

    spoken: list[str] = []
    run(scenario)
    assert effects.concessions == [] and "10% off" in spoken[-1]


def test_a_percent_above_the_hard_maximum_is_refused_without_the_model():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects, with_concessions(auto=10, hard=30))
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("I want 50% off.")
            assert await call.until(lambda: len(call.spoken()) == 2)
            assert call.model_turns() == 0
            spoken.extend(call.spoken())

    spoken: list[str] = []
    run(scenario)
    assert effects.concessions == [] and "not able to offer 50% off" in spoken[-1]


def test_the_keypad_9_alone_opts_out_like_the_spoken_opt_out():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.send(InputDTMFFrame(button=KeypadEntry.NINE))
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.opted_out == [CALLEE] and effects.timeline[-1] == ("say", engine.GOODBYE)
    assert effects.recorded("outcome") == ["opted_out"]


def test_other_keys_are_collected_into_one_entry_and_handed_to_the_model_as_a_turn():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            for key in (KeypadEntry.ONE, KeypadEntry.NINE, KeypadEntry.POUND):
                await call.send(InputDTMFFrame(button=key))
            assert await call.until(lambda: call.model_turns() == 1)
            turn = next(frame for frame in call.down if isinstance(frame, LLMContextFrame))
            assert "pressed 1 9" in turn.context.get_messages()[-1]["content"]
            assert not call.ended

    run(scenario)
    assert effects.opted_out == []


def test_a_silent_callee_is_asked_if_they_are_still_there_then_the_call_ends_politely():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            brain.callee_silent()
            assert await call.until(lambda: call.spoken()[-1:] == [engine.STILL_THERE])
            await call.agent_speaks()
            brain.callee_silent()
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.timeline[-1] == ("say", engine.NO_RESPONSE) and effects.recorded("outcome") == ["no_response"]


def test_a_callee_who_speaks_after_the_prompt_is_not_hung_up_on():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            brain.callee_silent()
            assert await call.until(lambda: call.spoken()[-1:] == [engine.STILL_THERE])
            await call.agent_speaks()
            await call.callee_says("Yes, sorry, I'm here.")
            assert await call.until(lambda: call.model_turns() == 1)
            brain.callee_silent()
            assert await call.until(lambda: call.spoken().count(engine.STILL_THERE) == 2)
            assert not call.ended

    run(scenario)


def test_a_backchannel_that_cut_the_agent_off_resumes_the_reply_from_its_sentence_without_the_model():
    reply = "Khata Cloud keeps your books in one place. It files your taxes on time, every quarter."

    async def scenario():
        brain, call = conversation(RecordingEffects())
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.report(BotStartedSpeakingFrame())
            await call.send(UserStartedSpeakingFrame())
            await call.send(InterruptionFrame())
            brain.agent_cut_off("Khata Cloud keeps your books in one place. It files", reply)
            await call.callee_says("Mm-hm.")
            assert await call.until(lambda: call.spoken()[-1:] == ["It files your taxes on time, every quarter."])
            assert call.model_turns() == 0

    run(scenario)


def test_a_backchannel_over_the_opener_is_not_a_turn_for_the_model():
    async def scenario():
        _, call = conversation(RecordingEffects())
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.report(BotStartedSpeakingFrame())
            await call.send(UserStartedSpeakingFrame())
            await call.callee_says("Yeah.")
            await asyncio.sleep(0.1)
            assert call.model_turns() == 0 and len(call.spoken()) == 1

    run(scenario)


def test_the_same_word_said_when_the_agent_is_quiet_is_an_answer_for_the_model():
    async def scenario():
        _, call = conversation(RecordingEffects())
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.send(UserStartedSpeakingFrame())
            await call.callee_says("Yeah.")
            assert await call.until(lambda: call.model_turns() == 1)

    run(scenario)
