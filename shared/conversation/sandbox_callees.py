"""The scripted callees of the sandbox carrier, like a payment processor's test cards: the last digit of the
E.164 number fixes what happens (issue 5, point 7; documented in the README).

0 no answer · 1 busy · 2 answering machine (a greeting and a beep, then quiet) · 3 "please stop calling me" ·
4 asks for a discount above the auto-approve limit, then takes it · 5 raises an objection from the rule book, then
converts · 6 not interested · 7 asks to be called back tomorrow · 8 converts at once · 9 asks to hear more, then
talks over the agent's pitch to sign up (a barge-in).

An audience row's `sandbox_behaviour` (issue 13 §6) names the callee instead and wins over the digit: each of
`BEHAVIOURS` plays its digit's script, and `transfer`, which no digit plays, asks for a real person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.conversation import phrases
from shared.providers.telephony.sandbox_behaviours import BEHAVIOURS
from shared.workflows.rule_book import RuleBook

DEFAULT_DISCOUNT_ASK = 25  # when no rule book says where the auto-approve limit is
DEFAULT_OBJECTION = "Is this a scam?"
YES = "Okay, that sounds good. Sign me up."
MACHINE_GREETING = "Hi, you've reached Sam. I can't take your call right now. Please leave a message after the tone."
ASKS_FOR_PERSON = "Can I speak to a real person, please?"
TRANSFER = "transfer"
#: The digit whose script each behaviour plays (`transfer` has none); digit 9, the barge-in, has no column value.
BEHAVIOUR_DIGITS = {"no_answer": "0", "busy": "1", "voicemail": "2", "optout": "3", "discount": "4", "objection": "5",
                    "not_interested": "6", "callback": "7", "convert": "8"}
_DIGIT_BEHAVIOURS = {**{digit: name for name, digit in BEHAVIOUR_DIGITS.items()}, "9": "barge_in"}


@dataclass(frozen=True)
class ScriptedCallee:
    #: The last digit that plays this script ("" for `transfer`, which no digit plays).
    digit: str
    answers: bool
    busy: bool = False
    machine: bool = False
    lines: tuple[str, ...] = field(default_factory=tuple)
    #: Said on answering, before anyone else speaks (an answering machine's greeting).
    greeting: str = ""
    #: The index of the line this callee says over the agent's reply instead of waiting for the agent to finish.
    barges_in_at: int | None = None
    #: What this callee does, by name: one of `BEHAVIOURS`, or "barge_in" (digit 9); "" in scripts sent before it.
    behaviour: str = ""

    def reply(self, turn_index: int, last_agent_text: str) -> str | None:
        """What the callee says after the agent's `turn_index`-th turn (0 = after the opener); None when
        this callee says nothing (no answer, busy, a machine) — its last line repeats until the call ends."""
        del last_agent_text  # the scripts are fixed; the parameter is there for callees that listen
        if not self.answers or self.machine or not self.lines:
            return None
        return self.lines[min(turn_index, len(self.lines) - 1)]


def callee_for(e164: str, rule_book: RuleBook | None = None, behaviour: str | None = None) -> ScriptedCallee:
    """The callee behind a sandbox number: the one `behaviour` names (the audience row's `sandbox_behaviour`, one of
    `BEHAVIOURS`), else the one the number's last digit picks. With the campaign's rule book, the discount asker
    asks for just above the auto-approve limit (so a human decides) and the objector raises one of the rule book's
    own objections. ValueError for an unknown behaviour, or a number without a final digit when none is named."""
    if behaviour is not None and behaviour not in BEHAVIOURS:
        raise ValueError(f"not a sandbox behaviour: {behaviour!r}")
    if behaviour == TRANSFER:
        # Asks for a person; if the agent keeps the call rather than transferring it, takes the offer.
        return ScriptedCallee("", answers=True, lines=(ASKS_FOR_PERSON, YES), behaviour=TRANSFER)
    digit = BEHAVIOUR_DIGITS[behaviour] if behaviour else e164.strip()[-1:]
    if not digit.isdigit():
        raise ValueError(f"not an E.164 number: {e164!r}")
    return _digit_callee(digit, rule_book)


def _digit_callee(digit: str, rule_book: RuleBook | None) -> ScriptedCallee:
    name = _DIGIT_BEHAVIOURS[digit]
    if digit == "0":
        return ScriptedCallee(digit, answers=False, behaviour=name)
    if digit == "1":
        return ScriptedCallee(digit, answers=False, busy=True, behaviour=name)
    if digit == "2":
        return ScriptedCallee(digit, answers=True, machine=True, greeting=MACHINE_GREETING, behaviour=name)
    lines = {
        "3": ("Please stop calling me.",),
        "4": (f"Could you do {_discount_ask(rule_book)}% off? Then I'd sign up.", YES),
        "5": (_objection(rule_book), YES),
        "6": ("Sorry, I'm not interested.",),
        "7": ("I'm in a meeting. Can you call me back tomorrow?",),
        "8": (YES,),
        "9": ("Hmm, tell me more.", YES),
    }[digit]
    return ScriptedCallee(digit, answers=True, lines=lines, barges_in_at=1 if digit == "9" else None, behaviour=name)


def _discount_ask(rule_book: RuleBook | None) -> int:
    if rule_book is None:
        return DEFAULT_DISCOUNT_ASK
    policy = rule_book.concession_policy
    return policy.auto_approve_percent + 1 if policy.hard_max_percent else DEFAULT_DISCOUNT_ASK


def _objection(rule_book: RuleBook | None) -> str:
    """A rule-book objection that is neither an opt-out nor a callback request (those end the call)."""
    for handler in rule_book.objection_handlers if rule_book else ():
        trigger = handler.trigger
        if not (phrases.is_opt_out(trigger) or phrases.asks_callback(trigger)
                or (handler.objection_id or "").startswith("optout")):
            return trigger
    return DEFAULT_OBJECTION
