"""The model acts through its tools, and its words are guarded: a fake model (pipecat's function-calling path, as
Claude's service and the sandbox's stand-in use it) ends the call, proposes concessions and asks for callbacks; the
rules decide each one. A model that tries to offer more than the rule book allows in its own words is never heard
saying it: the concession guard between the LLM and the TTS drops the offer and the hold path takes over."""

from __future__ import annotations

from pipecat.frames.frames import LLMTextFrame
from pipecat.processors.aggregators.llm_context import LLMContext

from shared.conversation import engine
from tests.fakes.scripted_llm import Reply, ScriptedModel, ToolCall
from tests.voice.call_harness import CallHarness
from tests.voice.recording_effects import RecordingEffects
from tests.voice.test_brain import FAST, a_call, run, with_concessions
from voice.brain import ConversationBrain
from voice.concession_guard import ConcessionGuard
from voice.tools import (
    END_CALL,
    PROPOSE_CONCESSION,
    REQUEST_CALLBACK,
    TRANSFER_TO_HUMAN,
    register_tools,
    tool_guidance,
)

RULE_BOOK = with_concessions(auto=10, hard=30)


def wired(effects: RecordingEffects, replies: list, rule_book=RULE_BOOK):
    """The brain, the scripted model with the call's tools registered, and the guard, as the pipeline wires them."""
    context = LLMContext()
    brain = ConversationBrain(a_call(rule_book), effects, timing=FAST, context=context)
    model = ScriptedModel(replies)
    register_tools(model, context, brain, rule_book)
    guard = ConcessionGuard(rule_book.concession_policy, brain.limits, brain.offer_blocked)
    return model, brain, CallHarness(brain, model, guard, context=context, timeline=effects.timeline,
                                     on_turn=brain.callee_turn_heard)


def heard_words(call) -> str:
    return "".join(frame.text for frame in call.down if isinstance(frame, LLMTextFrame))


def test_the_model_is_told_its_tools_and_when_to_use_each():
    model, _, call = wired(RecordingEffects(), [])
    guidance = model._settings.system_instruction
    assert guidance and tool_guidance(RULE_BOOK) in guidance and "10%" in guidance
    assert {tool.name for tool in call.context.tools.standard_tools} == {END_CALL, PROPOSE_CONCESSION,
                                                                          REQUEST_CALLBACK, TRANSFER_TO_HUMAN}


def test_end_call_records_the_outcome_before_the_farewell_and_ends_the_call():
    effects = RecordingEffects()
    farewell = "Wonderful, you're all set. Goodbye!"

    async def scenario():
        _, _, call = wired(effects, [Reply(tool=ToolCall(END_CALL, {"outcome": "converted", "say": farewell}))])
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Yes, sign me up.")
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.recorded("outcome") == ["converted"] and effects.recorded("answered_by")[-1] == "human"
    outcome_at = next(index for index, (kind, detail) in enumerate(effects.timeline)
                      if kind == "record" and "outcome" in detail)
    assert effects.timeline.index(("say", farewell)) > outcome_at


def test_a_concession_the_model_proposes_above_the_auto_approve_limit_holds_the_callee():
    effects = RecordingEffects()

    async def scenario():
        model, brain, call = wired(effects, [Reply(say="Let me see what I can do.", tool=ToolCall(
            PROPOSE_CONCESSION, {"kind": "discount_percent", "percent": 20, "value_minor": None}))])
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("It's too expensive for me.")
            assert await call.until(lambda: brain.mode == "holding")
            assert await call.until(lambda: call.spoken()[-1] == engine.HOLD)
            effects.decisions["apr_concession_1"] = "denied"
            assert await call.until(lambda: brain.mode == "talking")
            assert len(model.asked) == 1  # the rules answered; the model was not asked again

    run(scenario)
    assert [(asked.kind, asked.percent) for asked in effects.concessions] == [("discount_percent", 20)]


def test_a_concession_within_the_limit_is_granted_in_the_rules_words():
    effects = RecordingEffects()

    async def scenario():
        _, brain, call = wired(effects, [Reply(tool=ToolCall(
            PROPOSE_CONCESSION, {"kind": "discount_percent", "percent": "5", "value_minor": None}))])
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("It's too expensive for me.")
            assert await call.until(lambda: "5% off" in call.spoken()[-1])
            assert brain.mode == "talking"

    run(scenario)
    assert effects.concessions == []


def test_a_callback_the_model_passes_on_follows_the_callback_policy():
    rule_book = RULE_BOOK.model_copy(update={"callback_policy": RULE_BOOK.callback_policy.model_copy(
        update={"allowed": True, "handled_by": "our sales manager"})})
    effects = RecordingEffects()

    async def scenario():
        _, _, call = wired(effects, [Reply(tool=ToolCall(REQUEST_CALLBACK, {"when_text": "on Friday"}))], rule_book)
        async with call:
            await call.after_the_opener(rule_book)
            await call.callee_says("I'm busy, could we talk on Friday?")
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.callbacks == ["on Friday"] and effects.recorded("outcome") == ["callback"]
    assert "our sales manager" in effects.timeline[-1][1]


def test_a_transfer_the_model_asks_for_goes_through_the_transfer_policy_and_ends_the_call():
    from shared.workflows.rule_book import TransferPolicy

    rule_book = RULE_BOOK.model_copy(update={"transfer_policy": TransferPolicy(number="+14155550123")})
    effects = RecordingEffects()

    async def scenario():
        _, _, call = wired(effects, [Reply(tool=ToolCall(TRANSFER_TO_HUMAN, {"reason": "billing dispute"}))],
                           rule_book)
        async with call:
            await call.after_the_opener(rule_book)
            await call.callee_says("This bill is wrong, I need this sorted out properly.")
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert [reason for reason, _ in effects.transfers] == ["billing dispute"]
    assert effects.recorded("outcome") == ["transferred"]


def test_a_model_that_offers_more_than_the_rule_book_allows_is_never_heard_saying_it():
    effects = RecordingEffects()

    async def scenario():
        _, brain, call = wired(effects, ["I understand. I can give you 25% off the annual plan, today only."])
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("It's too expensive.")
            assert await call.until(lambda: brain.mode == "holding")
            assert await call.until(lambda: call.spoken()[-1] == engine.HOLD)
            words = heard_words(call)
            assert "25" not in words and "today only" not in words
            assert words == "I understand. "  # the clause before the offer was already on its way

    run(scenario)
    assert [(asked.kind, asked.percent) for asked in effects.concessions] == [("discount_percent", 25)]


def test_an_offer_in_words_above_the_hard_maximum_is_replaced_by_the_refusal():
    effects = RecordingEffects()

    async def scenario():
        _, brain, call = wired(effects, ["Honestly, for you, fifty percent off would be fine."])
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Can you do better on price?")
            assert await call.until(lambda: "not able to offer 50% off" in call.spoken()[-1])
            assert "fifty" not in heard_words(call) and brain.mode == "talking"

    run(scenario)
    assert effects.concessions == []


def test_offers_within_the_limit_prices_and_what_a_human_approved_are_said():
    effects = RecordingEffects()
    script = ["Good news: 10% off is available. The annual plan costs $120 a year.", "As agreed, 15% off it is."]

    async def scenario():
        _, brain, call = wired(effects, script)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("What does it cost?")
            assert await call.until(lambda: "$120 a year." in heard_words(call))
            brain.limits.percent = 15  # what a human approved on this call (test_holding shows how it is raised)
            await call.agent_speaks()
            await call.callee_says("So what was the deal again?")
            assert await call.until(lambda: "15% off it is." in heard_words(call))
            assert brain.mode == "talking"

    run(scenario)
    assert effects.concessions == []
