"""The whisper's port: who writes the one sentence a person hears before a transferred callee is connected.

Adapters: Claude (`shared/providers/llm/anthropic_whisper.py`, when the tenant has a key) and the offline composer
(`shared/transfers/whisper.py`), which also answers when Claude fails: a transfer never waits on a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class WhisperLine:
    speaker: str  # "agent" or "callee"
    text: str


@dataclass(frozen=True)
class WhisperRequest:
    """What the whisper is written from: the campaign, the callee's number, why they are transferred, what was said."""

    business_goal: str
    callee_last4: str
    reason: str
    transcript: tuple[WhisperLine, ...] = field(default_factory=tuple)
    language: str = "en"


class WhisperWriter(Protocol):
    name: str

    def write(self, request: WhisperRequest) -> str:
        """One sentence (the person's first words of the call) summarising who the callee is and what they want."""
