"""A callback call's agent is told why it calls: the opener says it is the callback the callee asked for, and the
system prompt carries what they asked, when, and how the earlier call went."""

from __future__ import annotations

from datetime import datetime

from shared.callbacks.models import CallbackBrief
from shared.conversation import engine
from shared.providers.llm.anthropic_agent_prompt import system_prompt
from shared.workflows.composer import compose
from shared.workflows.ports import GenerationRequest
from voice.call_context import for_callback

PROMPT = "Renewal reminders for our US customers, 9am-8pm Eastern time every day, offer up to 20% off"
BRIEF = CallbackBrief(requested_text="tomorrow at 3pm", asked_at=datetime.fromisoformat("2026-12-02T20:00:00+00:00"),
                      due_at=datetime.fromisoformat("2026-12-03T23:00:00+00:00"),
                      previous_summary="Asked to be called back; interested in the renewal.",
                      previous_lines=[("agent", "Would you like to renew today?"),
                                      ("callee", "I'm in a meeting. Can you call me back tomorrow at 3pm?")])


def _rule_book():
    return compose(GenerationRequest(prompt=PROMPT, persona_override=None, tenant_country="US"))


def test_the_opener_keeps_its_disclosures_first_and_then_says_it_is_the_callback_they_asked_for() -> None:
    rule_book = _rule_book()

    opener = engine.opening(for_callback(rule_book, BRIEF)).say

    assert opener.startswith(engine.opening(rule_book).say)
    assert opener.endswith("When we last spoke, you asked us to call you back, so I'm calling as promised.")
    assert "tomorrow" not in opener  # the callee's "tomorrow" is today when the callback is placed


def test_the_system_prompt_carries_the_request_the_summary_and_the_last_lines() -> None:
    briefed = for_callback(_rule_book(), BRIEF)

    prompt = system_prompt(briefed)

    assert "THIS IS A CALLBACK THE CALLEE ASKED FOR" in prompt and '"tomorrow at 3pm"' in prompt
    assert "Summary of the earlier call: Asked to be called back; interested in the renewal." in prompt
    assert "- Callee: I'm in a meeting. Can you call me back tomorrow at 3pm?" in prompt
    assert "2026-12-02 20:00 UTC" in prompt


def test_an_ordinary_call_is_told_nothing_of_a_callback() -> None:
    assert "CALLBACK" not in system_prompt(_rule_book())
