"""What one live call's pipeline needs to know, read once when its media stream is accepted."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.calls import repository as calls
from shared.calls.media_tokens import MediaStreamGrant
from shared.platform.errors import NotFound
from shared.workflows import repository as workflows
from shared.workflows.rule_book import RuleBook


@dataclass(frozen=True)
class MediaStream:
    """The carrier's `start` message: which stream and call this socket carries, and the custom parameters."""

    stream_sid: str
    carrier_call_sid: str | None
    custom_parameters: dict[str, str] = field(default_factory=dict)
    carrier: str = "twilio"  # whose wire format the socket speaks (voice.serializers)


@dataclass(frozen=True)
class CallContext:
    tenant_id: int
    call_id: str
    workflow_id: str
    run_id: str
    target_phone: str
    rule_book: RuleBook
    stream: MediaStream


def load_call_context(grant: MediaStreamGrant, stream: MediaStream) -> CallContext:
    """The call the token was minted for and its workflow's rule book (two consistent reads)."""
    call = calls.get(grant.tenant_id, grant.call_id)
    workflow = workflows.get(grant.tenant_id, call.workflow_id) if call else None
    if call is None or workflow is None:
        raise NotFound("No such call", code="CALL_NOT_FOUND")
    return CallContext(tenant_id=call.tenant_id, call_id=call.id, workflow_id=call.workflow_id, run_id=call.run_id,
                       target_phone=call.target_phone, rule_book=workflow.rule_book, stream=stream)
