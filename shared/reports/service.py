"""The weekly report use case: validate the range, gather the tenant's records, compute the figures, draw the PDF.

The range is whole UTC days, both ends included: `to` defaults to today, `from` to six days before `to`;
either may be an ISO date or datetime (a datetime counts as its UTC day). At most 31 days, all of them
between FIRST_REPORTABLE_DAY and LAST_REPORTABLE_DAY: the range ends at midnight after its last day, which
must still be a datetime (9999-12-31 has no next day), and nothing we store predates the Unix epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from shared.platform import clock
from shared.platform.errors import BadRequest
from shared.reports.models import (
    ReportRange,
    WeeklyReport,
    analysis_figures,
    approval_figures,
    call_rows,
    calls_per_day,
    cost_lines,
    top_objections,
    workflow_kpis,
)

if TYPE_CHECKING:
    from shared.auth.principal import Principal
    from shared.billing.models import LedgerEntry
    from shared.dialer.models import Run

MAX_RANGE_DAYS = 31  # whole days, both ends included
FIRST_REPORTABLE_DAY = date(1970, 1, 1)
LAST_REPORTABLE_DAY = date.max - timedelta(days=1)  # its range ends at the last midnight a datetime can hold
DEFAULT_RANGE_DAYS = 7
RUNS_PER_WORKFLOW = 100
LEDGER_PAGE = 200


@dataclass(frozen=True)
class RenderedReport:
    filename: str
    pdf: bytes


def weekly_report(principal: Principal, raw_from: str | None, raw_to: str | None) -> RenderedReport:
    from shared.platform.observability import count_business_event
    from shared.reports.pdf import render

    report_range = parse_range(raw_from, raw_to, today=clock.now().astimezone(UTC).date())
    figures = gather(principal.tenant_id, report_range)
    pdf = render(figures)
    count_business_event("weekly_report_rendered")
    return RenderedReport(f"callfunnel-weekly-{report_range.first_day}-{report_range.last_day}.pdf", pdf)


def parse_range(raw_from: str | None, raw_to: str | None, *, today: date) -> ReportRange:
    given_first, last = _parse_day(raw_from, "from"), _parse_day(raw_to, "to") or today
    # The default `from` stops at the first reportable day rather than stepping off the calendar.
    first = given_first or max(last - timedelta(days=DEFAULT_RANGE_DAYS - 1), FIRST_REPORTABLE_DAY)
    if first > last:
        raise BadRequest("from must be on or before to", code="VALIDATION_ERROR", field="from")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise BadRequest(f"The range may span at most {MAX_RANGE_DAYS} days", code="VALIDATION_ERROR", field="to")
    return ReportRange(first_day=first, last_day=last)


def _parse_day(raw: str | None, field: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
        else:
            moment = datetime.fromisoformat(text)
            day = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
    except ValueError:
        raise BadRequest(f"{field} must be an ISO date (YYYY-MM-DD) or datetime", code="VALIDATION_ERROR",
                         field=field) from None
    except OverflowError:  # a datetime whose UTC day is off the calendar (0001-01-01T00:00+01:00, …)
        day = None
    if day is None or not FIRST_REPORTABLE_DAY <= day <= LAST_REPORTABLE_DAY:
        raise BadRequest(f"{field} must be a day from {FIRST_REPORTABLE_DAY} to {LAST_REPORTABLE_DAY}",
                         code="VALIDATION_ERROR", field=field)
    return day


def gather(tenant_id: int, report_range: ReportRange) -> WeeklyReport:
    """Read the tenant's records for the range (queries only, no scans) and compute the figures."""
    from shared.accounts import repository as accounts
    from shared.approvals import repository as approvals_repository
    from shared.calls import repository as calls_repository
    from shared.workflows import repository as workflows_repository

    now = clock.now()
    start, end = report_range.start, report_range.end
    tenant = accounts.get_tenant(tenant_id)
    workflows = {workflow.id: workflow for workflow in workflows_repository.list_for_tenant(tenant_id)}
    calls = list(calls_repository.placed_between(tenant_id, start, end))
    runs = {workflow_id: _runs_active(tenant_id, workflow_id, report_range) for workflow_id in workflows}
    approvals = [approval for approval in approvals_repository.list_for_tenant(tenant_id)
                 if start <= approval.created_at < end]
    names = {workflow_id: workflow.name for workflow_id, workflow in workflows.items()}
    calls_of: dict[str, list] = {}
    for call in calls:
        calls_of.setdefault(call.workflow_id, []).append(call)
    kpis = []
    for workflow_id in sorted(set(names) | set(calls_of), key=lambda wid: names.get(wid, wid)):
        if not calls_of.get(workflow_id) and not runs.get(workflow_id):
            continue
        workflow = workflows.get(workflow_id)
        kpis.append(workflow_kpis(workflow_id, names.get(workflow_id, workflow_id), bool(workflow and workflow.is_test),
                                  runs.get(workflow_id, []), calls_of.get(workflow_id, [])))
    return WeeklyReport(tenant_name=tenant.name if tenant else f"Tenant {tenant_id}",
                        currency=tenant.currency if tenant else "USD", range=report_range, generated_at=now,
                        workflows=kpis, approvals=approval_figures(approvals, now),
                        top_objections=top_objections(calls), costs=cost_lines(_ledger_between(tenant_id, start, end)),
                        calls_per_day=calls_per_day(report_range, calls), calls=call_rows(calls, names),
                        analysis=analysis_figures(calls))


def _runs_active(tenant_id: int, workflow_id: str, report_range: ReportRange) -> list[Run]:
    """Runs that started before the range ended and were still going (or stopped) within it."""
    from shared.dialer import repository as dialer_repository

    active = []
    for run in dialer_repository.newest(tenant_id, workflow_id, RUNS_PER_WORKFLOW):
        stopped = run.ended_at or (run.paused_at if run.status == "paused" else None)
        if run.started_at < report_range.end and (stopped is None or stopped >= report_range.start):
            active.append(run)
    return active


def _ledger_between(tenant_id: int, start: datetime, end: datetime) -> list[LedgerEntry]:
    """The ledger is newest first: page back until the entries are older than the range."""
    from shared.billing import repository as billing_repository

    entries: list[LedgerEntry] = []
    cursor: str | None = None
    while True:
        page, cursor = billing_repository.ledger_page(tenant_id, LEDGER_PAGE, cursor)
        entries.extend(entry for entry in page if start <= entry.created_at < end)
        if cursor is None or (page and page[-1].created_at < start):
            return entries
