"""Each sandbox number's last digit, played through the engine and the scripted agent, ends the way issue 5
point 7 says (0 no answer · 1 busy · 2 machine · 3 opt-out · 4 discount approval · 5 objection then
converts · 6 not interested · 7 callback tomorrow · 8/9 convert); a named `sandbox_behaviour` (issue 13 §6) wins
over the digit and ends the same way as its digit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.conversation import engine
from shared.conversation.models import Continue, End, OptOut, ProposeConcession, RequestCallback, Transcript
from shared.conversation.sandbox_callees import (
    ASKS_FOR_PERSON,
    BEHAVIOURS,
    DEFAULT_DISCOUNT_ASK,
    DEFAULT_OBJECTION,
    YES,
    callee_for,
)
from shared.conversation.scripted_agent import ScriptedSandboxAgent
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest

PROMPT = ("Renewal recovery for our SaaS accounting product (Khata Cloud). You may offer 10% off the annual plan; "
          "anything more needs my approval. Hot leads get a callback from a sales manager.")
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def a_rule_book():
    request = GenerationRequest(prompt=PROMPT, persona_override=None, tenant_country="IN")
    return OfflineComposer().generate(request).rule_book


def play(e164: str, approve: bool = True, behaviour: str | None = None) -> list:
    """A whole call, as the sandbox carrier would run it: the actions in order, the last one ending it.
    A concession waiting on a human is decided at once with `approve`."""
    book = a_rule_book()
    callee, agent = callee_for(e164, book, behaviour=behaviour), ScriptedSandboxAgent()
    if not callee.answers:
        return []
    if callee.machine:
        return [engine.on_machine(book)]
    actions, transcript, at = [engine.opening(book)], Transcript(), T0
    transcript = transcript.add("agent", actions[0].say, at)
    for turn_index in range(engine.MAX_AGENT_TURNS + 1):
        utterance = callee.reply(turn_index, transcript.turns[-1].text)
        at += timedelta(seconds=3)
        action = engine.next_action(book, transcript, utterance, agent=agent, now=at)
        transcript = transcript.add("callee", utterance, at)
        if isinstance(action, ProposeConcession):
            actions.append(action)
            action = engine.after_decision(book, action, approve)
        actions.append(action)
        if not isinstance(action, Continue):
            return actions
        transcript = transcript.add("agent", action.say, at)
    raise AssertionError("the call never ended")


def kinds(actions: list) -> list[str]:
    return [action.type for action in actions]


@pytest.mark.parametrize(("e164", "answers", "busy", "machine"), [
    ("+919876543210", False, False, False), ("+14155550101", False, True, False),
    ("+14155550102", True, False, True)])
def test_digits_0_1_2_are_no_answer_busy_and_a_machine_and_say_nothing(e164, answers, busy, machine):
    callee = callee_for(e164)

    assert (callee.answers, callee.busy, callee.machine) == (answers, busy, machine)
    assert callee.reply(0, "Hello") is None


def test_digit_2_gets_the_voicemail_policy_and_no_conversation():
    assert kinds(play("+14155550102")) == ["voicemail"]


def test_digit_3_says_stop_calling_and_the_call_ends_in_an_opt_out():
    actions = play("+919876543213")

    assert kinds(actions) == ["continue", "opt_out"] and isinstance(actions[-1], OptOut)


def test_digit_4_asks_above_the_auto_limit_waits_on_a_human_then_converts_when_approved():
    actions = play("+919876543214", approve=True)

    assert kinds(actions) == ["continue", "propose_concession", "continue", "end"]
    assert actions[1].percent == 11 and "15%" not in actions[2].say and "11% off" in actions[2].say
    assert actions[-1].outcome == "converted"


def test_digit_4_without_a_rule_book_asks_for_the_default_discount():
    assert f"{DEFAULT_DISCOUNT_ASK}%" in callee_for("+14155550104").reply(0, "Hello")


def test_digit_5_raises_an_objection_of_the_rule_book_hears_its_rebuttal_then_converts():
    book = a_rule_book()
    actions = play("+919876543215")
    objection = callee_for("+919876543215", book).reply(0, "")

    assert objection in {handler.trigger for handler in book.objection_handlers}
    rebuttal = next(h.rebuttal for h in book.objection_handlers if h.trigger == objection)
    assert kinds(actions) == ["continue", "continue", "end"]
    assert actions[1].say == rebuttal and actions[-1].outcome == "converted"
    assert callee_for("+14155550105").reply(0, "") == DEFAULT_OBJECTION


def test_digit_6_is_not_interested():
    actions = play("+919876543216")

    assert kinds(actions) == ["continue", "end"] and actions[-1].outcome == "not_interested"


def test_digit_7_asks_to_be_called_back_tomorrow():
    actions = play("+919876543217")

    assert kinds(actions) == ["continue", "request_callback"]
    assert isinstance(actions[-1], RequestCallback) and actions[-1].when_text == "tomorrow"


def test_digit_8_converts_at_once():
    actions = play("+919876543218")

    assert kinds(actions) == ["continue", "end"] and actions[-1] == End(outcome="converted", say=actions[-1].say)


def test_digit_9_hears_the_pitch_then_converts():
    actions = play("+919876543219")

    assert kinds(actions) == ["continue", "continue", "end"] and actions[-1].outcome == "converted"
    assert actions[1].say.startswith("The reason I'm calling")


def test_a_number_without_a_final_digit_is_refused():
    with pytest.raises(ValueError):
        callee_for("+1415555010x")


BARGING_NUMBER = "+14155550109"  # digit 9: a barge-in, whatever the behaviour names instead
ENDINGS = {  # each behaviour's call, played whole: the kinds of action, and the outcome of the last one
    "convert": (["continue", "end"], "converted"),
    "optout": (["continue", "opt_out"], None),
    "discount": (["continue", "propose_concession", "continue", "end"], "converted"),
    "callback": (["continue", "request_callback"], None),
    "voicemail": (["voicemail"], None),
    "objection": (["continue", "continue", "end"], "converted"),
    "not_interested": (["continue", "end"], "not_interested"),
}


@pytest.mark.parametrize("behaviour", sorted(ENDINGS))
def test_a_named_behaviour_wins_over_the_last_digit_and_ends_its_way(behaviour):
    actions = play(BARGING_NUMBER, behaviour=behaviour)

    kinds_expected, outcome = ENDINGS[behaviour]
    assert kinds(actions) == kinds_expected
    assert getattr(actions[-1], "outcome", None) == outcome
    assert callee_for(BARGING_NUMBER, behaviour=behaviour).barges_in_at is None


@pytest.mark.parametrize(("behaviour", "busy"), [("no_answer", False), ("busy", True)])
def test_no_answer_and_busy_never_pick_up(behaviour, busy):
    callee = callee_for(BARGING_NUMBER, behaviour=behaviour)

    assert (callee.answers, callee.busy, callee.machine) == (False, busy, False)
    assert play(BARGING_NUMBER, behaviour=behaviour) == []


@pytest.mark.parametrize("behaviour", [name for name in BEHAVIOURS if name != "transfer"])
def test_each_behaviour_plays_the_script_of_its_digit(behaviour):
    book = a_rule_book()
    named = callee_for(BARGING_NUMBER, book, behaviour=behaviour)
    by_digit = callee_for(f"+1415555010{named.digit}", book)

    assert named == by_digit and named.behaviour == behaviour


def test_the_transfer_callee_asks_for_a_real_person_then_takes_the_offer():
    callee = callee_for("+14155550108", behaviour="transfer")

    assert (callee.answers, callee.machine, callee.behaviour, callee.digit) == (True, False, "transfer", "")
    assert [callee.reply(turn, "") for turn in range(3)] == [ASKS_FOR_PERSON, YES, YES]


def test_every_behaviour_has_a_callee_and_a_digit_callee_names_its_behaviour():
    assert {callee_for(BARGING_NUMBER, behaviour=name).behaviour for name in BEHAVIOURS} == set(BEHAVIOURS)
    assert callee_for("+14155550107").behaviour == "callback"
    assert callee_for(BARGING_NUMBER).behaviour == "barge_in"


def test_an_unknown_behaviour_is_refused():
    with pytest.raises(ValueError, match="sandbox behaviour"):
        callee_for("+14155550108", behaviour="convrt")
