"""The turn engine holds the rule book's rules whatever the agent proposes: opener first, opt-out at once,
concession limits, callback policy, turn and time limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.conversation import engine, phrases
from shared.conversation.models import (
    Continue,
    End,
    OptOut,
    ProposeConcession,
    RequestCallback,
    Transcript,
    Voicemail,
)
from shared.conversation.phrases import OPT_OUT_PHRASES
from shared.conversation.scripted_agent import ScriptedSandboxAgent
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest

PROMPT = ("Renewal recovery for our SaaS accounting product (Khata Cloud). You may offer 10% off the annual plan; "
          "anything more needs my approval. Hot leads get a callback from a sales manager.")
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def a_rule_book(prompt: str = PROMPT):
    request = GenerationRequest(prompt=prompt, persona_override=None, tenant_country="IN")
    return OfflineComposer().generate(request).rule_book


class FixedAgent:
    """An agent that proposes one given action, to show what the engine does with it."""

    def __init__(self, action) -> None:
        self.action, self.calls = action, 0

    def propose(self, rule_book, transcript, utterance):
        self.calls += 1
        return self.action


def started_call(rule_book, at=T0) -> Transcript:
    return Transcript().add("agent", engine.opening(rule_book).say, at)


def test_the_opening_carries_the_ai_disclosure_and_recording_notice_first():
    book = a_rule_book()

    said = engine.opening(book).say

    assert said.startswith("Hello, this is Priya, an AI assistant")
    assert book.disclosures.ai_disclosure in said and book.disclosures.recording_notice in said


def test_an_opener_missing_a_disclosure_gets_the_disclosure_said_before_it():
    book = a_rule_book()
    book = book.model_copy(update={"opener": "Hi, calling from Khata Cloud."})

    said = engine.opening(book).say

    assert said.startswith(book.disclosures.ai_disclosure)
    assert book.disclosures.recording_notice in said and said.endswith("Hi, calling from Khata Cloud.")


@pytest.mark.parametrize("utterance", [*OPT_OUT_PHRASES, "Please STOP calling me!", "Arre, mujhe call mat karna.",
                                       "Stop.", "stop please"])  # the opener offers: "just say stop"
def test_an_opt_out_phrase_ends_the_call_with_an_opt_out_whatever_the_agent_says(utterance):
    book = a_rule_book()
    agent = FixedAgent(End(outcome="converted", say="great"))

    action = engine.next_action(book, started_call(book), utterance, agent=agent, now=T0)

    assert isinstance(action, OptOut) and action.say_goodbye
    assert agent.calls == 0


@pytest.mark.parametrize(("utterance", "percent"), [("Can you do 15% off?", 15), ("fifteen percent, maybe?", 15),
                                                     ("What about twenty-five per cent?", 25), ("No thanks.", None),
                                                     ("I'm a hundred percent sure.", None)])
def test_a_percent_the_callee_names_is_read_in_digits_or_in_words(utterance, percent):
    assert phrases.requested_percent(utterance) == percent


def test_stop_inside_a_longer_sentence_is_not_an_opt_out():
    assert not phrases.is_opt_out("Stop by the office tomorrow if you like.")


def test_an_ordinary_no_is_not_taken_as_an_opt_out():
    book = a_rule_book()

    action = engine.next_action(book, started_call(book), "I'm not interested, thanks.",
                                agent=ScriptedSandboxAgent(), now=T0)

    assert action == End(outcome="not_interested", say=action.say)


@pytest.mark.parametrize(("percent", "expected"), [(10, "grant"), (15, "approval"), (20, "approval"), (21, "refuse")])
def test_a_discount_is_granted_within_the_auto_limit_asked_of_a_human_above_it_and_refused_above_the_hard_max(
        percent, expected):
    book = a_rule_book()  # 10% auto-approve, 20% hard maximum
    assert (book.concession_policy.auto_approve_percent, book.concession_policy.hard_max_percent) == (10, 20)
    proposed = ProposeConcession(kind="discount_percent", percent=percent, say_hold_message="")

    action = engine.next_action(book, started_call(book), "hm", agent=FixedAgent(proposed), now=T0)

    if expected == "approval":
        assert action == proposed.model_copy(update={"say_hold_message": engine.HOLD})
    elif expected == "grant":
        assert isinstance(action, Continue) and f"I can offer you {percent}% off" in action.say
    else:
        assert isinstance(action, Continue) and f"not able to offer {percent}% off" in action.say


def test_a_money_concession_above_the_auto_limit_needs_a_human_and_a_kind_not_allowed_is_refused():
    book = a_rule_book()
    policy = book.concession_policy.model_copy(update={"allowed": ["discount_percent", "credit"],
                                                       "auto_approve_limit_minor": 10_000, "hard_max_minor": 50_000})
    book = book.model_copy(update={"concession_policy": policy})
    credit = ProposeConcession(kind="credit", value_minor=20_000, say_hold_message="Hold on please.")
    waiver = ProposeConcession(kind="fee_waiver", value_minor=100, say_hold_message="")

    assert engine.next_action(book, started_call(book), "hm", agent=FixedAgent(credit), now=T0) == credit
    refused = engine.next_action(book, started_call(book), "hm", agent=FixedAgent(waiver), now=T0)
    assert isinstance(refused, Continue) and "not able to offer a fee waiver" in refused.say


def test_a_callback_request_becomes_a_request_callback_when_the_policy_allows_it():
    book = a_rule_book()

    action = engine.next_action(book, started_call(book), "Can you call me back tomorrow?",
                                agent=FixedAgent(Continue(say="no")), now=T0)

    assert isinstance(action, RequestCallback) and action.when_text == "tomorrow"
    assert "sales manager" in action.say


def test_a_callback_request_gets_a_polite_continue_when_the_policy_forbids_callbacks():
    book = a_rule_book()
    book = book.model_copy(update={"callback_policy": book.callback_policy.model_copy(update={"allowed": False})})
    proposed = RequestCallback(when_text="next week", say="Sure.")

    by_phrase = engine.next_action(book, started_call(book), "call me later", agent=FixedAgent(proposed), now=T0)
    by_agent = engine.next_action(book, started_call(book), "hmm", agent=FixedAgent(proposed), now=T0)

    assert by_phrase == by_agent == Continue(say=engine.NO_CALLBACK)


def test_the_call_ends_when_max_call_seconds_have_passed():
    book = a_rule_book()

    action = engine.next_action(book, started_call(book), "tell me more", agent=ScriptedSandboxAgent(),
                                now=T0 + timedelta(seconds=book.max_call_seconds))

    assert action == End(outcome="failed", say=engine.OUT_OF_TIME)


def test_the_call_ends_after_the_maximum_number_of_agent_turns():
    book = a_rule_book()
    transcript = Transcript()
    for _ in range(engine.MAX_AGENT_TURNS):
        transcript = transcript.add("agent", "more?", T0).add("callee", "tell me more", T0)

    action = engine.next_action(book, transcript, "tell me more", agent=ScriptedSandboxAgent(), now=T0)

    assert action == End(outcome="failed", say=engine.OUT_OF_TIME)


def test_an_agent_cannot_leave_a_voicemail_while_a_person_is_on_the_line():
    book = a_rule_book()

    action = engine.next_action(book, started_call(book), "hello?", agent=FixedAgent(Voicemail(message="hi")), now=T0)

    assert isinstance(action, Continue)


def test_on_a_machine_the_voicemail_policy_decides_between_a_message_and_hanging_up():
    book = a_rule_book()
    leave = book.voicemail_policy.model_copy(update={"action": "leave_message", "message": "Automated call: hi."})

    assert engine.on_machine(book) == Voicemail(message=None)
    assert engine.on_machine(book.model_copy(update={"voicemail_policy": leave})) == Voicemail(
        message="Automated call: hi.")


@pytest.mark.parametrize("approved", [True, False])
def test_after_a_decision_the_caller_tells_the_callee_what_was_decided(approved):
    book = a_rule_book()
    asked = ProposeConcession(kind="discount_percent", percent=15, say_hold_message=engine.HOLD)

    said = engine.after_decision(book, asked, approved).say

    assert ("Good news: I can offer you 15% off" in said) is approved
    assert ("can't offer 15% off" in said) is not approved


def test_the_scripted_agent_rebuts_an_objection_once_then_takes_no_for_an_answer():
    from shared.workflows.rule_book import ObjectionHandler

    rule_book = a_rule_book().model_copy(update={"objection_handlers": [
        ObjectionHandler(trigger="I'm not interested", rebuttal="May I ask why?")]})
    agent, now = ScriptedSandboxAgent(), datetime(2026, 12, 2, tzinfo=UTC)
    first = agent.propose(rule_book, Transcript(), "Sorry, I'm not interested.")
    transcript = Transcript().add("agent", "Hello", now).add("callee", "Sorry, I'm not interested.", now).add(
        "agent", first.say, now)

    second = agent.propose(rule_book, transcript, "Sorry, I'm not interested.")

    assert first.say == "May I ask why?"
    assert isinstance(second, End) and second.outcome == "not_interested"
