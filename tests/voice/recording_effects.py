"""The brain's effects port, recorded instead of written (voice.effects.CallEffects): what the call did to the DNC
list, the approvals and its own record, in order, on one shared timeline the tests can compare with what was said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.conversation.models import ProposeConcession, RequestCallback, Transcript
from voice.call_context import CallContext


@dataclass
class RecordingEffects:
    opted_out: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)
    concessions: list[ProposeConcession] = field(default_factory=list)
    #: approval id → what `approval_status` answers (tests decide by setting it)
    decisions: dict[str, str] = field(default_factory=dict)
    #: what `answered_by` answers (the carrier's AMD verdict on the call)
    amd_verdict: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    #: (reason, the transcript's callee lines) of each transfer asked for; `transfer_status` is what is answered
    transfers: list[tuple[str, list[str]]] = field(default_factory=list)
    transfer_status: str | None = "requested"
    messages: list[str] = field(default_factory=list)
    #: every effect in order, as ("opt_out" | "record" | …, detail); tests may append what was said to it too
    timeline: list[tuple[str, Any]] = field(default_factory=list)

    def opt_out(self, call: CallContext) -> None:
        self.opted_out.append(call.target_phone)
        self.timeline.append(("opt_out", call.target_phone))

    def request_callback(self, call: CallContext, action: RequestCallback, utterance: str) -> str:
        self.callbacks.append(action.when_text)
        self.timeline.append(("callback", action.when_text))
        return f"apr_callback_{len(self.callbacks)}"

    def request_concession(self, call: CallContext, action: ProposeConcession, utterance: str) -> str:
        self.concessions.append(action)
        approval_id = f"apr_concession_{len(self.concessions)}"
        self.decisions.setdefault(approval_id, "pending")
        self.timeline.append(("concession", approval_id))
        return approval_id

    def approval_status(self, call: CallContext, approval_id: str) -> str:
        return self.decisions.get(approval_id, "pending")

    def answered_by(self, call: CallContext) -> str | None:
        return self.amd_verdict

    def request_transfer(self, call: CallContext, transcript: Transcript, reason: str) -> str | None:
        self.transfers.append((reason, [turn.text for turn in transcript.turns if turn.speaker == "callee"]))
        self.timeline.append(("transfer", reason))
        return "failed" if self.transfer_status and call.stream.carrier == "exotel" else self.transfer_status

    def take_transfer_message(self, call: CallContext, message: str) -> None:
        self.messages.append(message)
        self.timeline.append(("message", message))

    def record(self, call: CallContext, **changes: Any) -> None:
        self.records.append(changes)
        self.timeline.append(("record", changes))

    def recorded(self, name: str) -> list[Any]:
        """Every value written to one field of the call, in order."""
        return [changes[name] for changes in self.records if name in changes]
