"""The model is started before the callee's turn is over — on the words the recogniser has finalised — and its
reply is the answer only once the turn ends with those same words: the user aggregator with the call's turn
strategies, the brain and a scripted model, driven with the frames VAD and the recogniser would send."""

from __future__ import annotations

import asyncio
import time

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer, BaseTurnParams, EndOfTurnState
from pipecat.frames.frames import (
    LLMTextFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair, LLMUserAggregatorParams
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from shared.conversation import engine
from tests.fakes.scripted_llm import ScriptedModel
from tests.voice.call_harness import CallHarness
from tests.voice.recording_effects import RecordingEffects
from tests.voice.test_brain import CALLEE, FAST, a_call, run
from voice.brain import ConversationBrain
from voice.turn_taking import SENTENCE_END_SILENCE_SECS, FloorAwareTurnStart, SpeculativeTurnStop

REPLY = "Happy to. Khata Cloud keeps your books in one place."


class TurnIsComplete(BaseTurnAnalyzer):
    """Smart-turn's verdict, fixed: every pause ends the turn."""

    @property
    def speech_triggered(self) -> bool:
        return False

    @property
    def params(self) -> BaseTurnParams:
        return BaseTurnParams()

    def append_audio(self, buffer: bytes, is_speech: bool) -> EndOfTurnState:
        return EndOfTurnState.INCOMPLETE

    async def analyze_end_of_turn(self):
        return EndOfTurnState.COMPLETE, None

    def clear(self) -> None:
        pass


class TurnIsUnfinished(TurnIsComplete):
    """Smart-turn's verdict, fixed the other way: every pause is mid-sentence, and its silence fallback never comes."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    async def analyze_end_of_turn(self):
        self.asked += 1
        return EndOfTurnState.INCOMPLETE, None


def a_turn_taking_call(effects: RecordingEffects, replies: list[str], turn_model: BaseTurnAnalyzer | None = None):
    context = LLMContext()
    brain = ConversationBrain(a_call(), effects, timing=FAST, context=context)
    aggregators = LLMContextAggregatorPair(context, user_params=LLMUserAggregatorParams(
        user_turn_strategies=UserTurnStrategies(
            start=[FloorAwareTurnStart(brain.floor_held)],
            stop=[SpeculativeTurnStop(turn_analyzer=turn_model or TurnIsComplete(), may_start=brain.may_start_early,
                                      started=brain.started_early)]),
        empty_user_turn=None))

    @aggregators.user().event_handler("on_user_turn_stopped")
    async def _heard(_aggregator, _strategy, message) -> None:
        if message.content:
            brain.callee_turn_heard(message.content)

    model = ScriptedModel(replies)
    return model, CallHarness(aggregators.user(), brain, model, context=context, timeline=effects.timeline)


def final(text: str) -> TranscriptionFrame:
    """A final transcript the recogniser sent by its own endpointing (not in answer to a Finalize)."""
    return TranscriptionFrame(text=text, user_id="callee", timestamp="")


async def settled() -> None:
    """VAD's frames are system frames, which overtake queued transcripts: let the transcript land first, as it
    does on a call (the recogniser's final comes before Silero's 0.2 s stop)."""
    await asyncio.sleep(0.05)


def reply_heard(call: CallHarness) -> str:
    return "".join(frame.text for frame in call.down if isinstance(frame, LLMTextFrame))


def test_the_model_starts_on_the_final_words_before_the_pause_and_its_reply_is_the_turns_answer():
    effects = RecordingEffects()

    async def scenario():
        model, call = a_turn_taking_call(effects, [REPLY])
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.agent_speaks()  # the opener has played
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("Tell me more about the plan."))
            # The callee has not paused yet (no VAD stop): the model is already at work, its reply held back.
            assert await call.until(lambda: len(model.asked) == 1)
            assert model.last_user_messages() == ["Tell me more about the plan."]
            assert reply_heard(call) == ""
            await call.send(VADUserStoppedSpeakingFrame())
            assert await call.until(lambda: reply_heard(call) == REPLY)
            assert len(model.asked) == 1  # the turn ended with the same words: no second request

    run(scenario)
    assert effects.recorded("answered_by") == ["human"]


def test_a_turn_that_goes_on_withdraws_the_early_start_and_is_answered_once_on_all_its_words():
    async def scenario():
        model, call = a_turn_taking_call(RecordingEffects(), ["(withdrawn)", REPLY])
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.agent_speaks()
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("I was wondering,"))
            assert await call.until(lambda: len(model.asked) == 1)
            await call.send(final("what does the annual plan cost?"))
            await settled()
            await call.send(VADUserStoppedSpeakingFrame())
            assert await call.until(lambda: reply_heard(call) == REPLY), (reply_heard(call), model.asked)
            assert model.last_user_messages()[-1] == "I was wondering, what does the annual plan cost?"
            assert "withdrawn" not in reply_heard(call)

    run(scenario)


def test_an_opt_out_is_never_started_early_and_reaches_the_rules_whole():
    effects = RecordingEffects()

    async def scenario():
        model, call = a_turn_taking_call(effects, [REPLY])
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.agent_speaks()
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("Please stop calling me."))
            await settled()
            await call.send(VADUserStoppedSpeakingFrame())
            assert await call.until(lambda: call.ended)
            assert model.asked == []

    run(scenario)
    assert effects.opted_out == [CALLEE] and effects.timeline[-1] == ("say", engine.GOODBYE)


def test_words_said_over_the_opener_are_not_started_early():
    async def scenario():
        model, call = a_turn_taking_call(RecordingEffects(), [REPLY])
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)  # the opener is still playing
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("Who is this?"))
            await settled()
            assert model.asked == []  # the opener holds the floor: no early start
            await call.send(VADUserStoppedSpeakingFrame())
            assert await call.until(lambda: len(model.asked) == 1)  # answered once the turn ended
            assert await call.until(lambda: reply_heard(call) == REPLY)

    run(scenario)


def test_a_finished_sentence_ends_the_turn_after_a_short_quiet_without_asking_the_turn_model():
    turn_model = TurnIsUnfinished()

    async def scenario():
        model, call = a_turn_taking_call(RecordingEffects(), [REPLY], turn_model=turn_model)
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.agent_speaks()
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("What does the annual plan cost?"))
            await settled()
            # Silero's stop, 0.2 s after the speech ended (as it comes on a call).
            await call.send(VADUserStoppedSpeakingFrame(stop_secs=0.2, timestamp=time.time()))
            stopped = time.monotonic()
            assert await call.until(lambda: reply_heard(call) == REPLY, timeout=2)
            # SENTENCE_END_SILENCE_SECS after the speech: not smart-turn's fallback.
            assert time.monotonic() - stopped < SENTENCE_END_SILENCE_SECS + 0.2
            assert len(model.asked) == 1

    run(scenario)
    assert turn_model.asked == 0  # its ~50 ms of inference would change nothing


def test_words_that_do_not_end_a_sentence_wait_for_the_turn_model():
    turn_model = TurnIsUnfinished()

    async def scenario():
        _model, call = a_turn_taking_call(RecordingEffects(), [REPLY], turn_model=turn_model)
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.agent_speaks()
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("I was wondering what the annual plan"))
            await settled()
            await call.send(VADUserStoppedSpeakingFrame(stop_secs=0.2, timestamp=time.time()))
            assert not await call.until(lambda: reply_heard(call) != "", timeout=1.5)

    run(scenario)
    assert turn_model.asked == 1


def test_the_callee_going_on_within_the_quiet_keeps_the_turn_open():
    async def scenario():
        model, call = a_turn_taking_call(RecordingEffects(), [REPLY], turn_model=TurnIsUnfinished())
        async with call:
            assert await call.until(lambda: len(call.spoken()) == 1)
            await call.agent_speaks()
            await call.send(VADUserStartedSpeakingFrame())
            await call.send(final("I see."))
            await settled()
            # Silero's stop 0.2 s after the speech ended; they go on 0.1 s into the quiet, before it is long enough.
            await call.send(VADUserStoppedSpeakingFrame(stop_secs=0.2, timestamp=time.time() + 0.2))
            await asyncio.sleep(0.1)
            await call.send(VADUserStartedSpeakingFrame())
            await asyncio.sleep(SENTENCE_END_SILENCE_SECS + 0.3)
            assert reply_heard(call) == ""
            await call.send(final("What does the annual plan cost?"))
            await settled()
            await call.send(VADUserStoppedSpeakingFrame(stop_secs=0.2, timestamp=time.time()))
            assert await call.until(lambda: reply_heard(call) == REPLY, timeout=2)
            assert model.last_user_messages()[-1] == "I see. What does the annual plan cost?"

    run(scenario)
