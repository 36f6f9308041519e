"""The weekly report's figures (pure) and its PDF: rendered from figures, its text read back with pypdf."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

import pytest

from bench.report_render import FIRST_DAY, build_report, synthetic_records
from shared.platform.errors import BadRequest
from shared.reports import models
from shared.reports.pdf import money, render
from shared.reports.service import parse_range


def _text(pdf: bytes) -> str:
    """The PDF's words, single-spaced (pypdf puts each table cell on its own line)."""
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())


@pytest.fixture(scope="module")
def records():
    return synthetic_records(300)


def test_the_pdf_shows_the_tenant_range_kpis_costs_and_every_call(records):
    report = build_report(records)

    pdf = render(report)
    text = _text(pdf)

    assert pdf.startswith(b"%PDF")
    assert "Bench Tenant" in text and "2026-05-18 to 2026-05-24" in text
    first = report.workflows[0]
    assert f"{first.name} {first.runs} {first.targets} {first.dialed} {first.connected} {first.converted}" in text
    assert money(report.spent_minor, "USD") in text
    assert f"Appendix: calls ({len(records['calls'])})" in text
    assert len(re.findall(r"\*{8}\d{4}", text)) == len(records["calls"])  # one masked phone per call line


def test_the_cost_breakdown_sums_the_ledger_by_kind_with_the_currency():
    entries = [_entry("topup", 5000), _entry("call_charge", -120), _entry("call_charge", -36),
               _entry("number_charge", -115)]
    report = build_report({"workflows": [], "calls": [], "runs": [], "approvals": [], "ledger": entries})

    text = _text(render(report.model_copy(update={"currency": "INR"})))

    assert [(line.label, line.entries, line.amount_minor) for line in report.costs] == [
        ("Calls", 2, -156), ("Numbers", 1, -115), ("Top-ups", 1, 5000)]
    assert "Calls 2 -INR 1.56" in text and "Top-ups 1 INR 50.00" in text and "Total spent INR 2.71" in text


def test_approval_decision_times_are_nearest_rank_median_and_p90(records):
    figures = models.approval_figures(records["approvals"][:10], FIRST_DAY + timedelta(days=7))

    # decided 30 + n seconds after being asked, n = 0..9
    assert (figures.total, figures.decided) == (10, 10)
    assert (figures.median_decision_seconds, figures.p90_decision_seconds) == (34, 38)
    assert figures.by_status == {"approved": 10} and figures.by_action == {"concession": 10}


def test_calls_per_day_has_a_bar_for_every_day_of_the_range_even_empty_ones(records):
    report_range = models.ReportRange(first_day=date(2026, 5, 17), last_day=date(2026, 5, 25))

    per_day = models.calls_per_day(report_range, records["calls"])

    assert len(per_day) == 9 and per_day[0] == (date(2026, 5, 17), 0) and per_day[-1] == (date(2026, 5, 25), 0)
    assert sum(count for _, count in per_day) == len(records["calls"])


def test_top_objections_are_the_most_heard_first():
    calls = synthetic_records(200)["calls"]

    top = models.top_objections(calls, limit=2)

    heard = [objection for call in calls for objection in call.objections]
    assert [count for _, count in top] == sorted((heard.count(text) for text, _ in top), reverse=True)
    assert top[0][1] == max(heard.count(text) for text in set(heard))


def test_the_range_defaults_to_the_seven_days_ending_today():
    assert parse_range(None, None, today=date(2026, 5, 24)) == models.ReportRange(
        first_day=date(2026, 5, 18), last_day=date(2026, 5, 24))


def test_a_datetime_counts_as_its_utc_day():
    report_range = parse_range("2026-05-18T23:30:00-05:00", "2026-05-20T01:00:00Z", today=date(2026, 6, 1))

    assert (report_range.first_day, report_range.last_day) == (date(2026, 5, 19), date(2026, 5, 20))


@pytest.mark.parametrize(("raw_from", "raw_to", "field"), [
    ("2026-05-25", "2026-05-24", "from"), ("2026-05-01", "2026-06-01", "to"), ("yesterday", None, "from"),
    (None, "2026-13-01", "to")])
def test_bad_ranges_name_the_field(raw_from, raw_to, field):
    with pytest.raises(BadRequest) as raised:
        parse_range(raw_from, raw_to, today=date(2026, 6, 1))

    assert (raised.value.code, raised.value.field) == ("VALIDATION_ERROR", field)


def test_a_range_of_exactly_31_days_is_accepted():
    report_range = parse_range("2026-05-01", "2026-05-31", today=date(2026, 6, 1))

    assert len(report_range.days) == 31


def _entry(kind: str, amount_minor: int):
    from shared.billing.models import LedgerEntry

    return LedgerEntry(id=f"led_{kind}_{amount_minor}", tenant_id=1, kind=kind, amount_minor=amount_minor,
                       balance_after_minor=0, currency="INR", description=kind, created_at=FIRST_DAY)
