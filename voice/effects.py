"""What the conversation brain makes happen outside the call: the DNC list, approvals, warm transfers and the call's
own record.

A port, so the brain's tests record the effects instead of writing them; `StoredCallEffects` is the real one
(the services the Gather path called). Synchronous (pynamodb): the brain runs them in a worker thread so the
call's audio never waits on a table write. Each is one request: a write of the call is one UpdateItem, a read
of it one GetItem, a look at an approval one GetItem.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.approvals import service as approvals
from shared.calls import repository as calls
from shared.compliance.service import add_for_tenant
from shared.conversation import concessions
from shared.conversation.models import ProposeConcession, RequestCallback, Transcript
from shared.transfers import service as transfers
from shared.transfers.ports import WhisperLine, WhisperRequest
from shared.transfers.whisper import compose_whisper
from voice.call_context import CallContext

CALLBACK_APPROVAL_TTL_SECONDS = 3600
#: How long a human has to decide a concession while the callee holds (the Gather path's figure).
CONCESSION_APPROVAL_TTL_SECONDS = 300


class CallEffects(Protocol):
    def opt_out(self, call: CallContext) -> None:
        """Put the callee's number on the tenant's DNC list, now (RULES: in the call, not within 10 days)."""

    def request_callback(self, call: CallContext, action: RequestCallback, utterance: str) -> str:
        """Ask a human to accept the callback the callee asked for (or, when the callback policy needs no human, record
        it approved); the approval's id."""

    def request_concession(self, call: CallContext, action: ProposeConcession, utterance: str) -> str:
        """Ask a human to decide a concession above the auto-approve limit (the callee holds); the approval's id."""

    def approval_status(self, call: CallContext, approval_id: str) -> str:
        """`pending`, `approved`, `denied` or `expired` (a pending approval past its deadline reads expired)."""

    def answered_by(self, call: CallContext) -> str | None:
        """Who the carrier's answering-machine detection says picked up, as recorded on the call (or None)."""

    def request_transfer(self, call: CallContext, transcript: Transcript, reason: str) -> str | None:
        """Compose the whisper and ask for a warm transfer to the rule book's number: the transfer's status
        (`requested`: the carrier dials it once the stream closes; `failed`: this carrier cannot dial after its
        stream, Exotel), or None when the call has a transfer already."""

    def take_transfer_message(self, call: CallContext, message: str) -> None:
        """Keep the callee's message for the person who did not answer the transfer."""

    def record(self, call: CallContext, **changes: Any) -> None:
        """Write these fields of the call (outcome, answered_by, objections, approval ids, pending approval)."""


class StoredCallEffects:
    def opt_out(self, call: CallContext) -> None:
        add_for_tenant(call.tenant_id, call.target_phone, "Asked not to be called again, during a call",
                       source="call", actor=f"call:{call.call_id}")

    def request_callback(self, call: CallContext, action: RequestCallback, utterance: str) -> str:
        rule_book = call.rule_book
        return approvals.request_approval(
            call.tenant_id, workflow_id=call.workflow_id, run_id=call.run_id, target_phone=call.target_phone,
            proposed_action="callback", proposed_value_minor=None, currency=rule_book.concession_policy.currency,
            rationale=f"The callee asked to be called back {action.when_text}.",
            context={"when_text": action.when_text, "callee_said": utterance,
                     "handled_by": rule_book.callback_policy.handled_by},
            ttl_seconds=CALLBACK_APPROVAL_TTL_SECONDS, call_id=call.call_id,
            # No human asked when the rule book says so: approved at once, the callback scheduled as the call ends.
            approved_by_policy=None if rule_book.callback_policy.requires_approval else "callback_policy").id

    def request_concession(self, call: CallContext, action: ProposeConcession, utterance: str) -> str:
        policy = call.rule_book.concession_policy
        offer = concessions.describe(policy, action)
        return approvals.request_approval(
            call.tenant_id, workflow_id=call.workflow_id, run_id=call.run_id, target_phone=call.target_phone,
            proposed_action="concession", proposed_value_minor=action.value_minor, currency=policy.currency,
            rationale=f"The callee asked for {offer}, above the auto-approve limit; they are holding on the line.",
            context={"kind": action.kind, "percent": action.percent, "callee_said": utterance,
                     "auto_approve_percent": policy.auto_approve_percent, "hard_max_percent": policy.hard_max_percent},
            ttl_seconds=CONCESSION_APPROVAL_TTL_SECONDS, call_id=call.call_id).id

    def approval_status(self, call: CallContext, approval_id: str) -> str:
        decided = approvals.get_decision(call.tenant_id, approval_id)
        # "Transfer instead": an approval decided with the transfer (shared.approvals, decision_detail).
        return "transfer" if decided.status == "approved" and decided.decision_detail == "transfer" else decided.status

    def request_transfer(self, call: CallContext, transcript: Transcript, reason: str) -> str | None:
        rule_book = call.rule_book
        number = rule_book.transfer_policy.number
        if number is None:
            return None
        key = call.keys.anthropic.secret if call.keys is not None and not call.on_sandbox_carrier else None
        whisper = compose_whisper(WhisperRequest(
            business_goal=rule_book.goals[0] if rule_book.goals else "", callee_last4=call.target_phone[-4:],
            reason=reason, transcript=tuple(WhisperLine(turn.speaker, turn.text) for turn in transcript.turns),
            language=rule_book.language), key)
        status = "failed" if call.stream.carrier == "exotel" else "requested"
        transfer = transfers.request_transfer(call.tenant_id, call.call_id, number=number, whisper=whisper,
                                              status=status)
        return transfer.status if transfer is not None else None

    def take_transfer_message(self, call: CallContext, message: str) -> None:
        transfers.take_message(call.tenant_id, call.call_id, message)

    def answered_by(self, call: CallContext) -> str | None:
        stored = calls.get(call.tenant_id, call.call_id)
        return stored.answered_by if stored is not None else None

    def record(self, call: CallContext, **changes: Any) -> None:
        calls.update(call.tenant_id, call.call_id, **changes)
