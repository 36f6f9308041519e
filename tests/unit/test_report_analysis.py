"""The weekly report's post-call analysis figures (issue 13 §2): interest, the sentiment split, the objections and
next steps the analyses name, summed over the range's calls; and their section of the PDF."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.report_render import build_report
from shared.calls.models import Call, CallAnalysis
from shared.reports import models
from shared.reports.pdf import render
from tests.unit.test_report_pdf import _text

AT = datetime(2026, 5, 19, 15, tzinfo=UTC)


def _call(index: int, **fields) -> Call:
    analysis = CallAnalysis(fields=fields, generator="offline-composer", analyzed_at=AT) if fields else None
    return Call(id=f"call_{index}", tenant_id=1, workflow_id="wf", run_id="run", segment=1,
                target_phone=f"+1415555{index:04d}", attempt=1, is_test=False, status="completed", created_at=AT,
                analysis=analysis)


CALLS = [
    _call(1, interested=True, sentiment="positive", objections=["Too expensive."], next_step="Send the invoice."),
    _call(2, interested=False, sentiment="negative", objections=["too expensive", "No time"], next_step="None."),
    _call(3, interested=None, sentiment="neutral", objections=[], next_step="Send the invoice"),
    _call(4, interested=True, sentiment="positive", objections=["no time"], next_step=None),
    _call(5, summary="A tenant's rule book without the other defaults"),
    _call(6),  # not analysed (voicemail, no answer, or not yet)
]


def test_the_analyses_of_the_ranges_calls_are_summed():
    figures = models.analysis_figures(CALLS)

    assert (figures.analysed, figures.interested, figures.not_interested) == (5, 2, 1)
    assert figures.sentiment == {"positive": 2, "negative": 1, "neutral": 1}
    assert figures.top_objections == [("No time", 2), ("Too expensive.", 2)]
    assert figures.top_next_steps == [("Send the invoice.", 2), ("None.", 1)]


def test_the_pdf_has_a_post_call_analysis_section():
    report = build_report({"workflows": [], "calls": [], "runs": [], "approvals": [], "ledger": []})

    text = _text(render(report.model_copy(update={"analysis": models.analysis_figures(CALLS)})))

    assert "Post-call analysis" in text and "Analysed 5 Interested 2 Not interested 1" in text
    assert "Sentiment: negative 1 Sentiment: neutral 1 Sentiment: positive 2" in text
    assert "Objection raised Calls No time 2 Too expensive. 2" in text
    assert "Next step Calls Send the invoice. 2 None. 1" in text


def test_a_range_without_analysed_calls_says_so():
    report = build_report({"workflows": [], "calls": [], "runs": [], "approvals": [], "ledger": []})

    assert "No calls were analysed in this range." in _text(render(report))
