"""The deterministic sandbox agent: no model, driven by the callee's words and the rule book.

Order of reading an utterance: a discount request → a concession proposal; a rule-book objection trigger
→ its rebuttal; a yes → converted; a no → not interested; anything else → the next goal or qualification
question of the rule book (the pitch). The engine then enforces the rules on what it proposes.
"""

from __future__ import annotations

from shared.conversation import phrases
from shared.conversation.models import Action, Continue, End, ProposeConcession, Transcript
from shared.workflows.rule_book import ObjectionHandler, RuleBook

_MIN_WORD_OVERLAP = 0.6
THANKS = "Wonderful, thank you! You'll get a confirmation shortly. Have a great day, goodbye."
SORRY_TO_BOTHER = "No problem at all, thank you for your time. Goodbye."


class ScriptedSandboxAgent:
    name = "scripted"

    def propose(self, rule_book: RuleBook, transcript: Transcript, utterance: str) -> Action:
        percent = phrases.requested_percent(utterance)
        if percent is not None:
            return ProposeConcession(kind="discount_percent", percent=percent, say_hold_message="")
        handler = matching_handler(rule_book, utterance)
        if handler is not None and not _already_said(transcript, handler.rebuttal):
            return Continue(say=handler.rebuttal)  # once: a second "not interested" is taken as the answer
        if phrases.is_converting(utterance):
            return End(outcome="converted", say=THANKS)
        if phrases.is_not_interested(utterance):
            return End(outcome="not_interested", say=SORRY_TO_BOTHER)
        return Continue(say=_pitch(rule_book, transcript.agent_turns()))


def _already_said(transcript: Transcript, text: str) -> bool:
    return any(turn.speaker == "agent" and turn.text == text for turn in transcript.turns)


def matching_handler(rule_book: RuleBook, utterance: str) -> ObjectionHandler | None:
    """The first objection handler whose trigger the callee said (most of its words, in any order)."""
    spoken = set(phrases.normalise(utterance).split())
    for handler in rule_book.objection_handlers:
        words = [word for word in phrases.normalise(handler.trigger).split() if len(word) > 2]
        if words and sum(word in spoken for word in words) / len(words) >= _MIN_WORD_OVERLAP:
            return handler
    return None


def _pitch(rule_book: RuleBook, agent_turns: int) -> str:
    lines = [*(f"The reason I'm calling: {goal[0].lower()}{goal[1:]}." for goal in rule_book.goals[:1]),
             *rule_book.qualification_questions]
    if not lines:
        return "Would you like to hear more?"
    # agent_turns counts the opener, so the first pitch is the goal, then each question in turn.
    return lines[(agent_turns - 1) % len(lines)] if agent_turns else lines[0]
