"""A call's conversation as data: turns, the transcript, and the one action the engine answers each turn with.

`Action` is a union discriminated by `type`; its JSON schema is also the input schema of the Claude agent's
`next_action` tool (wrapped in `ActionChoice`, because a tool's input must be an object).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.workflows.rule_book import RuleBook

Speaker = Literal["agent", "callee"]
Outcome = Literal["converted", "not_interested", "callback", "opted_out", "voicemail", "failed"]


class _Strict(BaseModel):
    # Defaults (the `type` tags) count as required in the serialization schema the Claude tool gets.
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class Turn(_Strict):
    speaker: Speaker
    text: str
    at: datetime


class Transcript(BaseModel):
    turns: list[Turn] = Field(default_factory=list)

    @property
    def started_at(self) -> datetime | None:
        return self.turns[0].at if self.turns else None

    def agent_turns(self) -> int:
        return sum(1 for turn in self.turns if turn.speaker == "agent")

    def add(self, speaker: Speaker, text: str, at: datetime) -> Transcript:
        """A new transcript with one more turn (transcripts are passed around; never mutate a shared one)."""
        return Transcript(turns=[*self.turns, Turn(speaker=speaker, text=text, at=at)])


class Continue(_Strict):
    type: Literal["continue"] = "continue"
    say: str = Field(min_length=1, description="What the caller says next, one or two short sentences.")


class ProposeConcession(_Strict):
    type: Literal["propose_concession"] = "propose_concession"
    kind: str = Field(description="The concession kind from the rule book's concession policy, e.g. "
                                  "'discount_percent', 'fee_waiver', 'credit'.")
    percent: int | None = Field(None, ge=0, le=100, description="The percent, for discount_percent.")
    value_minor: int | None = Field(None, ge=0, description="The money amount in minor units, for money kinds.")
    say_hold_message: str = Field(description="What the callee hears while the concession waits on a decision.")


class RequestCallback(_Strict):
    type: Literal["request_callback"] = "request_callback"
    when_text: str = Field(description="When the callee asked to be called back, in their words, e.g. 'tomorrow'.")
    say: str = Field(description="What the caller says to confirm the request.")


class OptOut(_Strict):
    type: Literal["opt_out"] = "opt_out"
    say_goodbye: str = Field(description="A polite apology and goodbye; the number goes on the do-not-call list.")


class End(_Strict):
    type: Literal["end"] = "end"
    outcome: Outcome = Field(description="How the call ended.")
    say: str = Field(description="The last words of the caller.")


class TransferToHuman(_Strict):
    type: Literal["transfer_to_human"] = "transfer_to_human"
    reason: str = Field(description="Why the callee wants a person, in a few words (e.g. 'asked for a manager').")
    say: str = Field(description="What the caller says before connecting them; empty to let the system say it.")


class Voicemail(_Strict):
    type: Literal["voicemail"] = "voicemail"
    message: str | None = Field(None, description="The voicemail to leave, or null to hang up.")


Action = Annotated[Continue | ProposeConcession | RequestCallback | OptOut | End | Voicemail | TransferToHuman,
                   Field(discriminator="type")]


class ActionChoice(BaseModel):
    """The `next_action` tool's input: one action."""

    action: Action


class Agent(Protocol):
    """Writes the words: proposes the next action; the engine then enforces the rules on it."""

    def propose(self, rule_book: RuleBook, transcript: Transcript, utterance: str) -> Action: ...
