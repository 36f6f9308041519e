"""Warm transfers in the rule book and the turn engine: the transfer policy, its validation, how a callee's ask for
a person is recognised, and what the engine answers with (connect them, or offer a callback)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.conversation import engine, phrases
from shared.conversation.models import Continue, RequestCallback, Transcript, TransferToHuman
from shared.conversation.sandbox_callees import YES
from shared.workflows.rule_book import RuleBook, TransferPolicy
from shared.workflows.validator import find_problems
from tests.unit.test_rule_book import rule_book_fields, valid_rule_book

ASKS_FOR_PERSON = "Can I speak to a real person, please?"  # the sandbox `transfer` callee's line (INTERFACES)
NUMBER = "+14155550123"
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


class NoAgent:
    """The engine must answer these turns by its rules: the agent is never asked."""

    def propose(self, rule_book, transcript, utterance):
        raise AssertionError("the agent was asked")


def _with_transfer(**policy) -> RuleBook:
    return valid_rule_book(transfer_policy={"number": NUMBER, **policy})


def _answer(rule_book: RuleBook, utterance: str):
    return engine.next_action(rule_book, Transcript(), utterance, agent=NoAgent(), now=T0)


# --- The policy and its validation ----------------------------------------------------------------------------

def test_a_rule_book_without_a_transfer_policy_reads_as_transfers_disabled():
    stored = rule_book_fields()  # as stored before transfers existed: no transfer_policy at all

    policy = RuleBook.model_validate(stored).transfer_policy

    assert policy == TransferPolicy() and policy.number is None and not policy.enabled
    assert (policy.when_callee_asks, policy.on_approval, policy.ring_seconds) == (True, True, 20)


def test_a_valid_e164_transfer_number_passes_validation():
    assert find_problems(_with_transfer(ring_seconds=30), ["IN"]) == []


@pytest.mark.parametrize("number", ["415-555-0123", "+1 415 555 0123", "+1555", "transfer me", "+15555550100"])
def test_a_transfer_number_that_is_not_e164_is_refused_on_its_field(number):
    problems = find_problems(valid_rule_book(transfer_policy={"number": number}), ["IN"])

    assert [problem.field for problem in problems] == ["transfer_policy.number"]


@pytest.mark.parametrize("seconds", [4, 61])
def test_a_ring_time_outside_5_to_60_seconds_is_refused(seconds):
    problems = find_problems(_with_transfer(ring_seconds=seconds), ["IN"])

    assert [problem.field for problem in problems] == ["transfer_policy.ring_seconds"]


def test_the_transfer_policy_is_in_the_schema_claude_fills_with_a_description_for_each_field():
    schema = RuleBook.model_json_schema()
    policy = schema["$defs"]["TransferPolicy"]

    assert "transfer_policy" in schema["properties"]
    assert set(policy["properties"]) == {"number", "when_callee_asks", "on_approval", "ring_seconds"}
    assert all(field.get("description") for field in policy["properties"].values())


# --- Recognising an ask for a person ----------------------------------------------------------------------------

@pytest.mark.parametrize("utterance", [
    ASKS_FOR_PERSON, "I'd like to talk to someone, please", "Let me speak to a human.", "Agent!",
    "Can I talk to your manager?", "Put me through to a representative", "I want a real person",
    "manager se baat karao",
])
def test_the_usual_ways_of_asking_for_a_person_are_recognised(utterance):
    assert phrases.asks_for_person(utterance)


@pytest.mark.parametrize("utterance", [
    "Are you a real person?", "Is this a robot?", "I'm a travel agent", YES, "Sorry, I'm not interested.",
    "Tell me more about the plan", "Please stop calling me.",
])
def test_other_turns_are_not_an_ask_for_a_person(utterance):
    assert not phrases.asks_for_person(utterance)


# --- The engine's rule ------------------------------------------------------------------------------------------

def test_asking_for_a_person_with_a_transfer_number_connects_them_before_the_model_is_asked():
    action = _answer(_with_transfer(), ASKS_FOR_PERSON)

    assert isinstance(action, TransferToHuman)
    assert action.say == engine.CONNECTING == "Of course — I'll connect you with a colleague now, one moment."


def test_without_a_transfer_number_the_agent_offers_a_callback_instead():
    action = _answer(valid_rule_book(), ASKS_FOR_PERSON)

    assert action == Continue(say=engine.NO_TRANSFER_CALLBACK)


def test_without_a_number_or_callbacks_the_agent_keeps_helping():
    action = _answer(valid_rule_book(callback_policy={"allowed": False}), ASKS_FOR_PERSON)

    assert action == Continue(say=engine.NO_TRANSFER)


def test_a_policy_that_does_not_transfer_on_the_callees_ask_offers_a_callback():
    assert _answer(_with_transfer(when_callee_asks=False), ASKS_FOR_PERSON) == Continue(say=engine.NO_TRANSFER_CALLBACK)


def test_an_opt_out_still_wins_over_an_ask_for_a_person():
    action = _answer(_with_transfer(), "Stop calling me, I don't want to talk to anyone")

    assert action.type == "opt_out"


def test_a_callback_ask_is_a_callback_even_when_it_names_someone():
    action = _answer(_with_transfer(), "Can someone call me back tomorrow?")

    assert isinstance(action, RequestCallback)


def test_the_models_transfer_goes_through_the_same_rule():
    proposed = TransferToHuman(reason="asked for a manager", say="")

    assert engine.enforce(_with_transfer(), proposed).say == engine.CONNECTING
    assert engine.enforce(valid_rule_book(), proposed) == Continue(say=engine.NO_TRANSFER_CALLBACK)


def test_an_approval_decided_as_transfer_transfers_only_when_the_policy_allows_it():
    assert isinstance(engine.transfer_on_approval(_with_transfer()), TransferToHuman)
    assert engine.transfer_on_approval(_with_transfer(on_approval=False)) is None
    assert engine.transfer_on_approval(valid_rule_book()) is None


# --- The offline composer reads a transfer number from the prompt --------------------------------------------------

@pytest.mark.parametrize(("prompt", "country", "number"), [
    ("Renewals for Khata Cloud. If they want a person, transfer to +1 415 555 0123.", "US", "+14155550123"),
    ("Put them through to our team at (415) 555-0123 when they ask for someone.", "US", "+14155550123"),
    ("Our sales desk on 020 7946 0018 takes transfers.", "GB", "+442079460018"),
    ("Transfer callers to our support line at 98765 43210.", "IN", "+919876543210"),
    ("Call 9am-6pm weekdays and offer 10% off the annual plan.", "US", None),
    ("Our office number is +1 415 555 0123, mention it if asked.", "US", None),
])
def test_the_offline_composer_sets_the_transfer_number_the_prompt_names(prompt, country, number):
    from shared.workflows.composer import OfflineComposer
    from shared.workflows.ports import GenerationRequest

    rule_book = OfflineComposer().generate(GenerationRequest(prompt=prompt, persona_override=None,
                                                             tenant_country=country)).rule_book

    assert rule_book.transfer_policy.number == number
    assert not [problem for problem in find_problems(rule_book, [country])
                if problem.field.startswith("transfer_policy")]


def test_claude_is_told_when_to_set_the_transfer_number():
    from shared.providers.llm.anthropic_prompt import system_prompt
    from shared.workflows.ports import GenerationRequest

    told = system_prompt(GenerationRequest(prompt="Renewals", persona_override=None, tenant_country="US"))

    assert "`transfer_policy`" in told and "E.164" in told
