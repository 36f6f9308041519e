"""The sandbox agent of a callback call says so in its first reply, whether that reply is words or an end."""

from __future__ import annotations

from shared.conversation.models import Continue, End
from voice.sandbox.llm import END_CALL, tool_call_for, with_reminder

REMINDER = "Thanks for taking our call back."


def test_words_start_with_the_reminder() -> None:
    assert with_reminder(*tool_call_for(Continue(say="Shall we renew?")), REMINDER) == (
        "Thanks for taking our call back. Shall we renew?", [])


def test_an_end_says_the_reminder_before_its_farewell() -> None:
    say, calls = with_reminder(*tool_call_for(End(outcome="converted", say="Wonderful, goodbye.")), REMINDER)

    assert say == "" and calls == [(END_CALL, {"outcome": "converted",
                                               "say": "Thanks for taking our call back. Wonderful, goodbye."})]


def test_without_a_callback_nothing_changes() -> None:
    reply = tool_call_for(Continue(say="Shall we renew?"))

    assert with_reminder(*reply, "") == reply
