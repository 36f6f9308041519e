"""The post-call analysis use case, run by the call-analysis queue's consumer (never on a request path, never on the
voice plane's socket): read the finished call, ask its analyzer for the rule book's analysis fields, keep the answer
on the call once, announce it as `call.analyzed`.

Idempotent: a job for a call that is not ready (not over, not connected, erased) or analysed already does nothing;
two deliveries racing write once (a conditional write) and only the writer announces it. When Claude fails (its own
retries spent) the offline composer answers instead and the analysis says why (`fallback_reason`): every connected
call gets its analysis, and nothing piles up in the dead-letter queue while Anthropic is down.
"""

from __future__ import annotations

from typing import Any

from shared.approvals import service as approvals
from shared.call_analysis.composer import OfflineAnalysisComposer
from shared.call_analysis.models import conform
from shared.call_analysis.ports import AnalysisRequest, CallAnalyzer, ConcessionOnCall, SpokenLine
from shared.call_analysis.selection import analyzer_for
from shared.calls import analysis_record
from shared.calls.models import Call, CallAnalysis, Utterance
from shared.platform import clock
from shared.platform.errors import NotFound, Upstream
from shared.platform.events import publish_event
from shared.platform.observability import count_business_event, get_logger
from shared.workflows import service as workflows
from shared.workflows.rule_book import default_analysis_fields


def handle_message(body: str) -> None:
    job = analysis_record.parse_job(body)
    analyze_call(job.tenant_id, job.call_id)


def analyze_call(tenant_id: int, call_id: str) -> CallAnalysis | None:
    """The call's analysis, kept and announced; None when there was nothing to do (or another delivery did it)."""
    call = analysis_record.find_call(tenant_id, call_id)
    if call is None or not analysis_record.ready_for_analysis(call):
        return None
    request = analysis_request(call)
    analysis = _analysis(analyzer_for(tenant_id, call.provider), request)
    if analysis_record.keep_analysis(call, analysis) is None:
        return None  # analysed by another delivery meanwhile, or the contact was erased
    count_business_event("CallAnalyzed")
    publish_event(tenant_id, "call.analyzed", {
        "call_id": call.id, "workflow_id": call.workflow_id, "run_id": call.run_id, "to": call.target_phone,
        "outcome": call.outcome, "analysis": analysis.fields, "generator": analysis.generator,
        "model": analysis.model, "analyzed_at": analysis.analyzed_at})
    return analysis


def analysis_request(call: Call) -> AnalysisRequest:
    """Everything an analyzer reads about the call: the rule book's fields, the transcript, what was decided on it."""
    rule_book = workflows.rule_book_of(call.tenant_id, call.workflow_id)
    decided = _approvals(call)
    concessions = tuple(ConcessionOnCall(kind=approval.context.get("kind"), percent=_number(approval.context.get(
        "percent")), value_minor=approval.proposed_value_minor, status=approval.status)
        for approval in decided if approval.proposed_action == "concession")
    callback = next((approval for approval in decided if approval.proposed_action == "callback"), None)
    return AnalysisRequest(
        call_id=call.id,
        fields=tuple(rule_book.analysis_fields if rule_book else default_analysis_fields()),
        transcript=tuple(_spoken(Utterance.model_validate(entry)) for entry in call.transcript),
        outcome=call.outcome, objections=tuple(call.objections), concessions=concessions,
        callback_asked=(callback.context.get("callee_said") or callback.context.get("when_text")) if callback else None,
        ended_at=call.ended_at or clock.now(),
        timezone=rule_book.calling_window.timezone if rule_book else "UTC",
        language=rule_book.language if rule_book else "en",
        goals=tuple(rule_book.goals) if rule_book else ())


def _analysis(analyzer: CallAnalyzer, request: AnalysisRequest) -> CallAnalysis:
    fallback = None
    try:
        raw = analyzer.analyze(request)
    except Upstream as failure:
        get_logger().warning("call analysis falls back to the offline composer",
                             extra={"call_id": request.call_id, "analyzer": analyzer.name, "code": failure.code})
        count_business_event("CallAnalysisFellBack")
        analyzer, fallback = OfflineAnalysisComposer(), failure.code
        raw = analyzer.analyze(request)
    return CallAnalysis(fields=conform(request.fields, raw, timezone=request.timezone), generator=analyzer.name,
                        model=analyzer.model, analyzed_at=clock.now_seconds(), fallback_reason=fallback)


def _approvals(call: Call) -> list[Any]:
    decided = []
    for approval_id in dict.fromkeys(call.approval_ids):
        try:
            decided.append(approvals.get_decision(call.tenant_id, approval_id))
        except NotFound:  # pruned or never written: the call says what it can without it
            continue
    return decided


def _spoken(utterance: Utterance) -> SpokenLine:
    return SpokenLine(speaker="agent" if utterance.speaker == "agent" else "contact", text=utterance.text)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
