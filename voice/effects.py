"""What the conversation brain makes happen outside the call: the DNC list and approvals.

A port, so the brain's tests record the effects instead of writing them; `StoredCallEffects` is the real one
(the same services the Gather path calls, shared.calls.conversation). Synchronous (pynamodb): the brain runs
them in a worker thread so the call's audio never waits on a table write.
"""

from __future__ import annotations

from typing import Protocol

from shared.approvals import service as approvals
from shared.compliance.service import add_for_tenant
from shared.conversation.models import RequestCallback
from voice.call_context import CallContext

CALLBACK_APPROVAL_TTL_SECONDS = 3600


class CallEffects(Protocol):
    def opt_out(self, call: CallContext) -> None:
        """Put the callee's number on the tenant's DNC list, now (RULES: in the call, not within 10 days)."""

    def request_callback(self, call: CallContext, action: RequestCallback, utterance: str) -> None:
        """Ask a human to accept the callback the callee asked for."""


class StoredCallEffects:
    def opt_out(self, call: CallContext) -> None:
        add_for_tenant(call.tenant_id, call.target_phone, "Asked not to be called again, during a call",
                       source="call", actor=f"call:{call.call_id}")

    def request_callback(self, call: CallContext, action: RequestCallback, utterance: str) -> None:
        rule_book = call.rule_book
        approvals.request_approval(
            call.tenant_id, workflow_id=call.workflow_id, run_id=call.run_id, target_phone=call.target_phone,
            proposed_action="callback", proposed_value_minor=None, currency=rule_book.concession_policy.currency,
            rationale=f"The callee asked to be called back {action.when_text}.",
            context={"when_text": action.when_text, "callee_said": utterance,
                     "handled_by": rule_book.callback_policy.handled_by},
            ttl_seconds=CALLBACK_APPROVAL_TTL_SECONDS, call_id=call.call_id)
