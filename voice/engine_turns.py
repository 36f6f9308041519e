"""How the streamed call's turns meet the transport-free turn engine: the engine's Agent port for a call whose
words come from a streamed model, and the call's transcript as the engine reads it, from the shared LLM context.
"""

from __future__ import annotations

from datetime import datetime

from pipecat.processors.aggregators.llm_context import LLMContext

from shared.conversation import phrases
from shared.conversation.models import Action, Continue, ProposeConcession, Transcript

#: The deferring agent's answer: "the model writes this turn" (never spoken; compared by identity).
STREAMED_REPLY = Continue(say="(the streamed model answers this turn)")


class StreamedAgent:
    """The engine's Agent port for a streamed call: a percent the callee named is a concession proposal (judged by
    the rules before any model sees it); anything else is the streamed model's to answer."""

    def propose(self, rule_book, transcript: Transcript, utterance: str) -> Action:
        percent = phrases.requested_percent(utterance)
        if percent is not None and "discount_percent" in rule_book.concession_policy.allowed:
            return ProposeConcession(kind="discount_percent", percent=min(percent, 100), say_hold_message="")
        return STREAMED_REPLY


def callee_turn(context: LLMContext, started_at: datetime) -> tuple[str, Transcript]:
    """The callee's latest words and the transcript before them, from the shared LLM context."""
    turns = _turns(context)
    if not turns or turns[-1][0] != "user":
        return "", Transcript()
    return turns[-1][1].strip(), _as_transcript(turns[:-1], started_at)


def transcript_of(context: LLMContext, started_at: datetime) -> Transcript:
    return _as_transcript(_turns(context), started_at)


def _turns(context: LLMContext) -> list[tuple[str, str]]:
    return [(message.get("role"), _text(message.get("content"))) for message in context.get_messages()
            if isinstance(message, dict) and message.get("role") in ("user", "assistant")]


def _as_transcript(turns: list[tuple[str, str]], started_at: datetime) -> Transcript:
    transcript = Transcript()
    for role, text in turns:
        if text:
            transcript = transcript.add("agent" if role == "assistant" else "callee", text, started_at)
    return transcript


def normalised(utterance: str) -> str:
    return phrases.normalise(utterance)


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""
