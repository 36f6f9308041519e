"""The brain holds the turn engine's rules in the streamed pipeline (pipecat's own test harness, no sockets):
the opener first, an opt-out or the time limit ends the call without asking the model, a callback request is
passed on to a human, and every other turn goes on to the model."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pipecat.frames.frames import EndWorkerFrame, LLMContextFrame, TTSSpeakFrame
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.tests.utils import run_test

from shared.conversation import engine
from shared.platform import clock
from tests.voice.test_media_stream import RecordingEffects, a_rule_book
from voice.brain import ConversationBrain
from voice.call_context import CallContext, MediaStream

RULE_BOOK = a_rule_book()
CALLEE = "+14155550123"


def a_call(rule_book=RULE_BOOK) -> CallContext:
    return CallContext(tenant_id=7, call_id="call-1", workflow_id="wf-1", run_id="run-1", target_phone=CALLEE,
                       rule_book=rule_book, stream=MediaStream(stream_sid="MZ1", carrier_call_sid="CA1"))


def after_the_opener(*callee_lines: str) -> LLMContextFrame:
    context = LLMContext()
    context.add_message({"role": "assistant", "content": engine.opening(RULE_BOOK).say})
    for line in callee_lines:
        context.add_message({"role": "user", "content": line})
    return LLMContextFrame(context=context)


def run(brain: ConversationBrain, *frames) -> tuple[list, list]:
    down, up = asyncio.run(run_test(brain, frames_to_send=list(frames)))
    return list(down), list(up)


def spoken(frames) -> list[str]:
    return [frame.text for frame in frames if isinstance(frame, TTSSpeakFrame)]


def test_the_opener_with_both_disclosures_is_spoken_first_unprompted():
    down, _ = run(ConversationBrain(a_call(), RecordingEffects()))

    assert spoken(down) == [engine.opening(RULE_BOOK).say]
    assert RULE_BOOK.disclosures.ai_disclosure in spoken(down)[0]
    assert RULE_BOOK.disclosures.recording_notice in spoken(down)[0]


def test_an_ordinary_turn_goes_on_to_the_model():
    down, up = run(ConversationBrain(a_call(), RecordingEffects()), after_the_opener("Okay, tell me more."))

    assert [type(frame) for frame in down if isinstance(frame, LLMContextFrame)] == [LLMContextFrame]
    assert not any(isinstance(frame, EndWorkerFrame) for frame in up)


def test_an_opt_out_writes_the_dnc_list_says_goodbye_and_ends_the_call_without_the_model():
    effects = RecordingEffects()

    down, up = run(ConversationBrain(a_call(), effects), after_the_opener("Please stop calling me."))

    assert effects.opted_out == [CALLEE]
    assert spoken(down)[-1] == engine.GOODBYE
    assert not any(isinstance(frame, LLMContextFrame) for frame in down)
    assert any(isinstance(frame, EndWorkerFrame) for frame in up)


def test_a_turn_after_the_call_is_ending_is_not_sent_to_the_model():
    brain = ConversationBrain(a_call(), RecordingEffects())

    down, _ = run(brain, after_the_opener("Remove me from your list."),
                  after_the_opener("Remove me from your list.", "Hello?"))

    assert not any(isinstance(frame, LLMContextFrame) for frame in down)


def test_a_callback_request_goes_to_a_human_when_the_rule_book_allows_callbacks():
    rule_book = RULE_BOOK.model_copy(update={"callback_policy": RULE_BOOK.callback_policy.model_copy(
        update={"allowed": True})})
    effects = RecordingEffects()

    down, up = run(ConversationBrain(a_call(rule_book), effects), after_the_opener("Can you call me back tomorrow?"))

    assert effects.callbacks == ["tomorrow"]
    assert "tomorrow" in spoken(down)[-1]
    assert not any(isinstance(frame, LLMContextFrame) for frame in down)
    assert any(isinstance(frame, EndWorkerFrame) for frame in up)


def test_the_call_ends_once_the_rule_books_time_is_up():
    answered = clock.now() - timedelta(seconds=RULE_BOOK.max_call_seconds + 1)
    brain = ConversationBrain(a_call(), RecordingEffects(), started_at=answered)

    down, up = run(brain, after_the_opener("Okay, and what else?"))

    assert spoken(down)[-1] == engine.OUT_OF_TIME
    assert not any(isinstance(frame, LLMContextFrame) for frame in down)
    assert any(isinstance(frame, EndWorkerFrame) for frame in up)
