"""The last check on the model's words before they are spoken: no concession beyond what the rule book allows.

It sits between the LLM and the TTS. The model is told to propose concessions through its tool, but a model may
still say "I can give you 25% off" in its own words; this guard reads the streamed text clause by clause and an
offer above the limit the agent may name now — the auto-approve limit, or what a human approved on this call —
is never passed on: the clause and the rest of that reply are dropped, and the brain is told (`on_blocked`),
which puts the offer through the engine's rules (a hold for a human, or a refusal) instead.

What counts as an offer (a trade-off, said here once):
- a percent above the limit, anywhere in the agent's speech (digits or words: "25%", "twenty five percent"): a
  caller's percentages are discounts far more often than anything else, and naming one wrongly costs the tenant
  money, so no cue word is required;
- an amount of money above the money limit only in a sentence that also says credit, waive, refund, off,
  discount, rebate or back: prices are said all the time and are not concessions. Such a clause is held until its
  sentence ends (the cue may come after the amount); clauses without an amount go on at once.
Clauses are cut at , ; : . ! ? followed by a space, so the TTS still gets the first clause as soon as it is whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pipecat.frames.frames import (
    EndFrame,
    Frame,
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from shared.conversation import phrases
from shared.conversation.models import ProposeConcession
from shared.workflows.rule_book import MONEY_CONCESSIONS, ConcessionPolicy

Blocked = Callable[[ProposeConcession], Awaitable[None]]

_CLAUSE_END = re.compile(r"[,;:.!?…—](?=\s)|\n")
_SENTENCE_END = re.compile(r"[.!?…]\s*$|\n\s*$")
_AMOUNT = r"(\d[\d,]*(?:\.\d{1,2})?)"
_MONEY = re.compile(rf"(?:[$₹€£]|\brs\.?|\binr|\busd)\s*{_AMOUNT}|{_AMOUNT}\s*(?:dollars?|rupees?|bucks|usd|inr|"
                    r"euros?|pounds?)\b", re.IGNORECASE)
_MONEY_CUES = re.compile(r"\b(?:credit|credits|waive|waived|waiver|refund|refunded|off|discount|discounted|rebate|"
                         r"back)\b", re.IGNORECASE)


@dataclass
class ConcessionLimits:
    """What the agent may name on this call right now: the rule book's auto-approve limits, raised by approvals."""

    percent: float
    minor: int

    @classmethod
    def of(cls, policy: ConcessionPolicy) -> ConcessionLimits:
        return cls(percent=policy.auto_approve_percent if "discount_percent" in policy.allowed else 0,
                   minor=policy.auto_approve_limit_minor if MONEY_CONCESSIONS & set(policy.allowed) else 0)

    def approve(self, concession: ProposeConcession) -> None:
        """A human approved this concession on this call: the agent may now say it."""
        if concession.percent is not None:
            self.percent = max(self.percent, concession.percent)
        if concession.value_minor is not None:
            self.minor = max(self.minor, concession.value_minor)


def offer_beyond(text: str, limits: ConcessionLimits, policy: ConcessionPolicy, *,
                 sentence_complete: bool) -> ProposeConcession | bool | None:
    """The concession `text` offers beyond `limits`, None when it offers none, or True when an amount of money
    above the limit waits for the rest of its sentence (a cue word may still come)."""
    over = [value for value in phrases.percents(text) if value > limits.percent]
    if over:
        return ProposeConcession(kind="discount_percent", percent=min(100, math.ceil(max(over))), say_hold_message="")
    amounts = [_minor(left or right) for left, right in _MONEY.findall(text)]
    over_minor = [amount for amount in amounts if amount > limits.minor]
    if not over_minor:
        return None
    if _MONEY_CUES.search(text):
        kind = next((kind for kind in ("credit", "fee_waiver") if kind in policy.allowed), "credit")
        return ProposeConcession(kind=kind, value_minor=max(over_minor), say_hold_message="")
    return None if sentence_complete else True


class ConcessionGuard(FrameProcessor):
    def __init__(self, policy: ConcessionPolicy, limits: ConcessionLimits, on_blocked: Blocked) -> None:
        super().__init__(name="concession-guard")
        self._policy = policy
        self._limits = limits
        self._on_blocked = on_blocked
        self._pending = ""  # streamed text not yet cut into a clause
        self._held = ""  # whole clauses waiting for their sentence to end (an amount of money, no cue yet)
        self._sentence = ""  # what was passed on of the sentence being said
        self._blocked = False  # the rest of this reply is dropped
        #: What the agent set out to say in its latest reply, as far as it was passed on (the brain resumes from it).
        self.intended = ""

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if direction != FrameDirection.DOWNSTREAM:
            await self.push_frame(frame, direction)
        elif isinstance(frame, LLMTextFrame):
            if not self._blocked:
                self._pending += frame.text
                await self._release(skip_tts=frame.skip_tts, final=False)
        elif isinstance(frame, LLMFullResponseStartFrame):
            self._reset()
            self.intended = ""
            await self.push_frame(frame, direction)
        elif isinstance(frame, (LLMFullResponseEndFrame, EndFrame)):
            await self._release(skip_tts=None, final=True)
            self._reset()
            await self.push_frame(frame, direction)
        elif isinstance(frame, InterruptionFrame):
            self._reset()
            await self.push_frame(frame, direction)
        else:
            if isinstance(frame, TTSSpeakFrame):
                self.intended = frame.text  # the brain's own words (the engine's), already within the rules
            await self.push_frame(frame, direction)

    def _reset(self) -> None:
        self._pending = self._held = self._sentence = ""
        self._blocked = False

    async def _release(self, *, skip_tts: bool | None, final: bool) -> None:
        while not self._blocked:
            match = _CLAUSE_END.search(self._pending)
            if match is None and not (final and self._pending):
                return
            cut = match.end() if match else len(self._pending)
            while cut < len(self._pending) and self._pending[cut].isspace():
                cut += 1  # the space after the clause goes with it
            clause, self._pending = self._pending[:cut], self._pending[cut:]
            self._held += clause
            sentence_complete = bool(_SENTENCE_END.search(self._held)) or (final and not self._pending)
            verdict = offer_beyond(self._sentence + self._held, self._limits, self._policy,
                                   sentence_complete=sentence_complete)
            if isinstance(verdict, ProposeConcession):
                self._blocked = True
                self._pending = self._held = ""
                await self._on_blocked(verdict)
            elif verdict is None:
                await self._pass_on(self._held, skip_tts)
                self._sentence = "" if sentence_complete else self._sentence + self._held
                self._held = ""

    async def _pass_on(self, text: str, skip_tts: bool | None) -> None:
        if not text:
            return
        frame = LLMTextFrame(text=text)
        frame.skip_tts = skip_tts
        self.intended += text
        await self.push_frame(frame)


def _minor(amount: str) -> int:
    return round(float(amount.replace(",", "")) * 100)
