"""Draw a `WeeklyReport` as a PDF with reportlab (imported on use: it is only needed here).

Speed: the appendix lists every call, so it is drawn as chunks of monospaced lines with fixed column widths:
one auto-sized table of 10,000 rows takes seconds, fixed chunks a fraction of that.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from shared.reports.models import WeeklyReport

MM = 72 / 25.4
#: The appendix is monospaced text in fixed-width columns (characters): one text line per call, drawn in one
#: text object per chunk — a table cell per value costs ~10x more (70,000 cells for 10,000 calls).
APPENDIX_COLUMNS = (16, 28, 13, 11, 14, 6, 16)
APPENDIX_CHUNK = 80  # rows under one header: about a page
APPENDIX_FONT_SIZE = 7
APPENDIX_LEADING = 8.6
KPI_HEADER = ["Workflow", "Runs", "Targets", "Dialed", "Connected", "Converted", "Conversion", "Calls", "Avg talk"]
KPI_WIDTHS_MM = (50, 12, 16, 16, 19, 19, 19, 14, 15)


def money(amount_minor: int, currency: str) -> str:
    sign = "-" if amount_minor < 0 else ""
    units, cents = divmod(abs(amount_minor), 100)
    return f"{sign}{currency} {units:,}.{cents:02d}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def render(report: WeeklyReport) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * MM, rightMargin=15 * MM, topMargin=15 * MM,
                                 bottomMargin=15 * MM, title=f"CallFunnel weekly report {_range_text(report)}",
                                 author="CallFunnel", invariant=1)
    story: list[Any] = [*_header(report), *_workflows(report), *_chart(report), *_approvals(report),
                        *_objections(report), *_analysis(report), *_costs(report), PageBreak(), *_appendix(report)]
    document.build(story)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _styles() -> Any:
    from reportlab.lib.styles import getSampleStyleSheet

    return getSampleStyleSheet()


def _range_text(report: WeeklyReport) -> str:
    return f"{report.range.first_day.isoformat()} to {report.range.last_day.isoformat()}"


def _paragraph(text: str, style: str = "BodyText") -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), _styles()[style])


def _table(rows: list[list[Any]], widths_mm: tuple[int, ...]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=[width * MM for width in widths_mm], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                               ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _header(report: WeeklyReport) -> list[Any]:
    from reportlab.platypus import Spacer

    spent, added = money(report.spent_minor, report.currency), money(report.added_minor, report.currency)
    return [_paragraph("CallFunnel weekly report", "Title"), _paragraph(report.tenant_name, "Heading2"),
            _paragraph(f"Range: {_range_text(report)} (UTC, both days included)"),
            _paragraph(f"Generated: {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')}"),
            _paragraph(f"Calls placed: {len(report.calls)} - Spent: {spent} - Added: {added}"), Spacer(1, 4 * MM)]


def _workflows(report: WeeklyReport) -> list[Any]:
    rows: list[list[Any]] = [KPI_HEADER]
    for kpi in report.workflows:
        name = f"{kpi.name} (test)" if kpi.is_test else kpi.name
        rows.append([_paragraph(name), kpi.runs, kpi.targets, kpi.dialed, kpi.connected, kpi.converted,
                     percent(kpi.conversion_rate), kpi.calls_placed, duration(kpi.average_talk_seconds)])
    if not report.workflows:
        return [_paragraph("Workflows", "Heading2"), _paragraph("No runs or calls in this range.")]
    return [_paragraph("Workflows", "Heading2"), _table(rows, KPI_WIDTHS_MM)]


def _chart(report: WeeklyReport) -> list[Any]:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(180 * MM, 60 * MM)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 10 * MM, 10 * MM, 165 * MM, 45 * MM
    chart.data = [[count for _, count in report.calls_per_day] or [0]]
    chart.categoryAxis.categoryNames = [day.strftime("%m-%d") for day, _ in report.calls_per_day] or [""]
    chart.categoryAxis.labels.fontSize = 6 if len(report.calls_per_day) > 14 else 8
    chart.categoryAxis.labels.angle = 45 if len(report.calls_per_day) > 14 else 0
    chart.categoryAxis.labels.dy = -6
    chart.valueAxis.valueMin = 0
    busiest = max((count for _, count in report.calls_per_day), default=0)
    chart.valueAxis.valueMax = max(4, busiest)  # whole calls on the axis, even for a quiet week
    chart.valueAxis.valueStep = max(1, -(-max(4, busiest) // 4))
    chart.bars[0].fillColor = colors.HexColor("#3b6ea5")
    drawing.add(chart)
    return [_paragraph("Calls per day", "Heading2"), drawing]


def _approvals(report: WeeklyReport) -> list[Any]:
    figures = report.approvals
    rows: list[list[Any]] = [["Approvals", "Count"], ["Requested", figures.total]]
    rows += [[f"Status: {status}", count] for status, count in sorted(figures.by_status.items())]
    rows += [[f"Action: {action}", count] for action, count in sorted(figures.by_action.items())]
    rows += [["Decided", figures.decided], ["Median time to decision", duration(figures.median_decision_seconds)],
             ["90th percentile time to decision", duration(figures.p90_decision_seconds)]]
    return [_paragraph("Approvals", "Heading2"), _table(rows, (90, 40))]


def _objections(report: WeeklyReport) -> list[Any]:
    if not report.top_objections:
        return [_paragraph("Top objections", "Heading2"), _paragraph("No objections heard in this range.")]
    rows: list[list[Any]] = [["Objection", "Times heard"]]
    rows += [[_paragraph(text), count] for text, count in report.top_objections]
    return [_paragraph("Top objections", "Heading2"), _table(rows, (140, 30))]


def _analysis(report: WeeklyReport) -> list[Any]:
    from reportlab.platypus import Spacer

    figures = report.analysis
    title = _paragraph("Post-call analysis", "Heading2")
    if not figures.analysed:
        return [title, _paragraph("No calls were analysed in this range.")]
    rows: list[list[Any]] = [["Analysed calls", "Count"], ["Analysed", figures.analysed],
                             ["Interested", figures.interested], ["Not interested", figures.not_interested]]
    rows += [[f"Sentiment: {name}", count] for name, count in sorted(figures.sentiment.items())]
    story = [title, _table(rows, (90, 40))]
    for heading, pairs in (("Objection raised", figures.top_objections), ("Next step", figures.top_next_steps)):
        if pairs:
            story += [Spacer(1, 2 * MM), _table([[heading, "Calls"], *[[_paragraph(text), count]
                                                                       for text, count in pairs]], (140, 30))]
    return story


def _costs(report: WeeklyReport) -> list[Any]:
    rows: list[list[Any]] = [["Ledger", "Entries", "Amount"]]
    rows += [[line.label, line.entries, money(line.amount_minor, report.currency)] for line in report.costs]
    rows += [["Total spent", "", money(report.spent_minor, report.currency)],
             ["Total added", "", money(report.added_minor, report.currency)]]
    return [_paragraph("Cost breakdown", "Heading2"), _table(rows, (90, 30, 50))]


def _appendix(report: WeeklyReport) -> list[Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Preformatted

    style = ParagraphStyle("Appendix", fontName="Courier", fontSize=APPENDIX_FONT_SIZE, leading=APPENDIX_LEADING)
    header = _fixed_columns(["Placed (UTC)", "Workflow", "Phone", "Status", "Outcome", "Talk", "Cost"])
    rows = [_fixed_columns([row.placed_at.strftime("%Y-%m-%d %H:%M"), row.workflow, row.phone, row.status,
                            row.outcome or "-", duration(row.talk_seconds), money(row.charged_minor, report.currency)])
            for row in report.calls]
    story: list[Any] = [_paragraph(f"Appendix: calls ({len(rows)})", "Heading2")]
    if not rows:
        return [*story, _paragraph("No calls in this range.")]
    rule = "-" * len(header)
    for first in range(0, len(rows), APPENDIX_CHUNK):
        story.append(Preformatted("\n".join([header, rule, *rows[first:first + APPENDIX_CHUNK]]), style))
    return story


def _fixed_columns(cells: list[str]) -> str:
    return " ".join(cell[:width].ljust(width) for cell, width in zip(cells, APPENDIX_COLUMNS, strict=True)).rstrip()
