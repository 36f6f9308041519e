"""Post-call analysis: the port every analyzer implements, owned by this domain, and everything it speaks.

An analyzer reads one connected call — its transcript, outcome, objections, the concessions and callback decided on
it — and answers one value per analysis field of the call's rule book. Adapters: `AnthropicCallAnalyzer` (Claude,
structured output through a tool whose input schema is `models.answer_schema(fields)`; shared/providers/llm) and the
offline composer (deterministic, no key; `composer.py`). An adapter imports this module and `models` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from shared.workflows.rule_book import AnalysisField

__all__ = ["AnalysisField", "AnalysisRequest", "CallAnalyzer", "ConcessionOnCall", "SpokenLine"]


@dataclass(frozen=True)
class SpokenLine:
    speaker: Literal["agent", "contact"]
    text: str


@dataclass(frozen=True)
class ConcessionOnCall:
    """A concession a human decided during the call (an approval): what was asked and how it was decided."""

    kind: str | None  # discount_percent, fee_waiver, …
    percent: float | None
    value_minor: int | None
    status: str  # approved, denied, expired, pending


@dataclass(frozen=True)
class AnalysisRequest:
    call_id: str
    fields: tuple[AnalysisField, ...]
    transcript: tuple[SpokenLine, ...]
    outcome: str | None  # the call's outcome as the conversation decided it (converted, callback, …)
    objections: tuple[str, ...]  # the rule book's objection triggers the callee raised
    concessions: tuple[ConcessionOnCall, ...]
    callback_asked: str | None  # the callee's words for when to call back, when a callback was requested
    ended_at: datetime  # what relative times ("tomorrow at 5") are counted from
    timezone: str  # IANA zone of the campaign's calling window: where "tomorrow at 5" is
    language: str  # BCP 47 tag of the call
    goals: tuple[str, ...]  # what a successful call achieves (the rule book's goals)


class CallAnalyzer(Protocol):
    #: "anthropic" or "offline-composer": recorded on the analysis.
    name: str
    #: The model id, when the analyzer has one.
    model: str | None

    def analyze(self, request: AnalysisRequest) -> dict[str, Any]:
        """A value (or None) per field name; the service conforms each to its type. Raises
        shared.platform.errors.Upstream when the provider fails or answers without the analysis."""
