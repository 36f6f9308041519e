"""When a call is ready for its post-call analysis, the job that asks for it, and the analysis's one write.

A call is analysed once it is over *and* its conversation is kept: the carrier's final status (the call-events
consumer) and the voice plane's end-of-call write (`conversation_record.keep`) arrive in either order, so both ask
`ready_for_analysis` on the call as their own write left it (one UpdateItem returning the item): whichever writes
second sees both halves and enqueues the job. The consumer (shared.call_analysis) is idempotent, so a duplicate job
costs a read. Enqueueing never fails the writer: the call's own record stands whatever happens to the queue.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from shared.calls import repository
from shared.calls.models import Call, CallAnalysis, Utterance
from shared.platform.pseudonyms import is_pseudonym

UNCONFIGURED_CODE = "CALL_ANALYSIS_UNAVAILABLE"


class AnalysisJob(BaseModel):
    """One message of the call-analysis queue."""

    tenant_id: int
    call_id: str


def ready_for_analysis(call: Call) -> bool:
    """Over, with a conversation a person took part in (answered by a human, or the contact spoke), not yet analysed,
    and not erased. Voicemails and calls nobody answered have nothing to analyse."""
    if not call.is_final or call.analysis is not None or not call.transcript or is_pseudonym(call.target_phone):
        return False
    if call.answered_by == "machine" or call.outcome == "voicemail":
        return False
    return call.answered_by == "human" or any(Utterance.model_validate(entry).speaker != "agent"
                                              for entry in call.transcript)


def request_analysis(call: Call) -> bool:
    """Queue the call's analysis; False (logged, counted) when the job could not be sent."""
    from shared.platform import queues
    from shared.platform.observability import count_business_event, get_logger
    from shared.platform.settings import get_settings

    body = AnalysisJob(tenant_id=call.tenant_id, call_id=call.id).model_dump_json()
    try:
        queues.send(get_settings().call_analysis_queue_url, body, attributes={"call_id": call.id},
                    unconfigured_code=UNCONFIGURED_CODE)
    except Exception as error:  # the caller's write is committed; a lost job is a missing analysis, not a lost call
        get_logger().warning("call analysis not requested", extra={"tenant_id": call.tenant_id, "call_id": call.id,
                                                                   "error_type": type(error).__name__})
        count_business_event("CallAnalysisNotRequested")
        return False
    return True


def request_analysis_when_ready(call: Call) -> None:
    """What the two writers of a call's end call with the call as their write left it."""
    if ready_for_analysis(call):
        request_analysis(call)


def parse_job(body: str) -> AnalysisJob:
    return AnalysisJob.model_validate(json.loads(body))


def find_call(tenant_id: int, call_id: str) -> Call | None:
    return repository.get(tenant_id, call_id)


def keep_analysis(call: Call, analysis: CallAnalysis) -> Call | None:
    """Store the analysis once, unless the contact was erased since `call` was read; None when not stored."""
    return repository.set_analysis_once(call.tenant_id, call.id, analysis, contact_phone=call.target_phone)
