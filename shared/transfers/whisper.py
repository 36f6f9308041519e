"""The whisper: ONE sentence a person hears on answering a transfer, before the callee is connected — who the callee
is and what they want, from the conversation so far.

Claude writes it when the call's tenant has a key (a real carrier's call: the voice plane resolved the key for the
call); otherwise, and whenever Claude fails or answers with something unusable, the offline composer does, from the
campaign's goal and the callee's own last words. Either way the result is one short sentence (`one_sentence`).
"""

from __future__ import annotations

import re

from shared.platform.observability import get_logger
from shared.platform.settings import get_settings
from shared.providers.llm.anthropic_whisper import AnthropicWhisperWriter
from shared.transfers.ports import WhisperRequest, WhisperWriter

MAX_WORDS = 45
MAX_QUOTE_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class OfflineWhisperComposer:
    name = "offline-composer"

    def write(self, request: WhisperRequest) -> str:
        said = [line.text.strip() for line in request.transcript if line.speaker == "callee" and line.text.strip()]
        quote = _clause(said[-1]) if said else ""
        goal = _clause(request.business_goal)  # a goal is imperative: "Renew the annual plan"
        purpose = f"called to {goal[0].lower()}{goal[1:]}" if goal else "called about our offer"
        words = f"Transfer from the AI caller: the contact on …{request.callee_last4}, {purpose}, {request.reason}"
        return f"{words}, and said “{quote}”." if quote else f"{words}."


def writer_for(anthropic_key: str | None) -> WhisperWriter:
    if not anthropic_key:
        return OfflineWhisperComposer()
    settings = get_settings()
    return AnthropicWhisperWriter(api_key=anthropic_key, model=settings.anthropic_live_model,
                                  base_url=settings.anthropic_base_url)


def compose_whisper(request: WhisperRequest, anthropic_key: str | None = None) -> str:
    """The whisper for this transfer: Claude's sentence with a key, else (or when Claude fails) the offline one."""
    writer = writer_for(anthropic_key)
    try:
        written = one_sentence(writer.write(request))
    except Exception as error:  # a transfer never waits on a model: the offline sentence answers instead
        get_logger().warning("whisper not written by %s", writer.name, extra={"error_type": type(error).__name__})
        written = ""
    return written or one_sentence(OfflineWhisperComposer().write(request))


def one_sentence(text: str) -> str:
    """The first sentence of `text`, on one line, at most `MAX_WORDS` words (a whisper is heard, not read)."""
    flat = " ".join(text.split())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0] if flat else ""
    words = first.split()
    if len(words) > MAX_WORDS:
        first = " ".join(words[:MAX_WORDS]).rstrip(",;:") + "."
    return first


def _clause(text: str) -> str:
    """`text` as a clause inside the sentence: no sentence ends of its own, trimmed to a length a person hears."""
    clause = re.sub(r"[.!?]+(\s+|$)", ", ", " ".join(text.split())).strip(" ,")
    return clause if len(clause) <= MAX_QUOTE_CHARS else clause[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
