"""The weekly report's figures, computed from plain records before anything is drawn (pure functions).

KPIs per workflow come from the run counters (the same numbers `GET /workflows/{id}/runs` shows) of
every run active in the range; talk time, objections, the daily chart and the appendix come from the
calls placed in the range; money comes from the ledger entries written in the range.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from shared.approvals.models import Approval
    from shared.billing.models import LedgerEntry
    from shared.calls.models import Call
    from shared.dialer.models import Run

TOP_OBJECTIONS = 10
TOP_NEXT_STEPS = 5
LEDGER_LABELS: dict[str, str] = {"call_charge": "Calls", "number_charge": "Numbers", "topup": "Top-ups",
                                 "autocharge": "Auto top-ups", "trial_credit": "Trial credit", "refund": "Refunds",
                                 "adjustment": "Adjustments",
                                 "payment_review": "Payments held for review (not credited)"}


class ReportRange(BaseModel):
    """Whole UTC days, both ends included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


class WorkflowKpis(BaseModel):
    workflow_id: str
    name: str
    is_test: bool
    runs: int
    targets: int
    dialed: int
    connected: int
    converted: int
    calls_placed: int
    average_talk_seconds: float | None

    @property
    def conversion_rate(self) -> float | None:
        """Converted ÷ connected: of the people reached, how many said yes."""
        return self.converted / self.connected if self.connected else None


class ApprovalFigures(BaseModel):
    total: int
    by_status: dict[str, int]
    by_action: dict[str, int]
    decided: int
    median_decision_seconds: float | None
    p90_decision_seconds: float | None


class CostLine(BaseModel):
    kind: str
    label: str
    entries: int
    amount_minor: int  # signed, as in the ledger


class CallRow(BaseModel):
    placed_at: datetime
    workflow: str
    phone: str  # masked to the last 4 digits
    status: str
    outcome: str | None
    talk_seconds: int
    charged_minor: int


class AnalysisFigures(BaseModel):
    """What the post-call analyses of the range's calls add up to (the default analysis fields; a rule book that
    dropped one simply adds nothing to its line)."""

    analysed: int = 0
    interested: int = 0
    not_interested: int = 0
    sentiment: dict[str, int] = Field(default_factory=dict)
    #: In the words the analyses put them in (however spelled or cased), most said first.
    top_objections: list[tuple[str, int]] = Field(default_factory=list)
    top_next_steps: list[tuple[str, int]] = Field(default_factory=list)


class WeeklyReport(BaseModel):
    tenant_name: str
    currency: str
    range: ReportRange
    generated_at: datetime
    workflows: list[WorkflowKpis]
    approvals: ApprovalFigures
    top_objections: list[tuple[str, int]]
    costs: list[CostLine]
    calls_per_day: list[tuple[date, int]]
    calls: list[CallRow]
    analysis: AnalysisFigures = Field(default_factory=AnalysisFigures)

    @property
    def spent_minor(self) -> int:
        return -sum(line.amount_minor for line in self.costs if line.amount_minor < 0)

    @property
    def added_minor(self) -> int:
        return sum(line.amount_minor for line in self.costs if line.amount_minor > 0)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (p50 of [1, 2, 3, 4] is 2; p90 of ten values is the ninth)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def workflow_kpis(workflow_id: str, name: str, is_test: bool, runs: list[Run], calls: list[Call]) -> WorkflowKpis:
    talk = [call.duration_seconds for call in calls if call.answered_by != "machine" and call.duration_seconds > 0]
    return WorkflowKpis(workflow_id=workflow_id, name=name, is_test=is_test, runs=len(runs),
                        targets=sum(run.targets_total for run in runs),
                        dialed=sum(run.count("targets_dialed") for run in runs),
                        connected=sum(run.count("targets_connected") for run in runs),
                        converted=sum(run.count("targets_converted") for run in runs),
                        calls_placed=len(calls), average_talk_seconds=sum(talk) / len(talk) if talk else None)


def approval_figures(approvals: list[Approval], now: datetime) -> ApprovalFigures:
    waits = [(a.decided_at - a.created_at).total_seconds() for a in approvals if a.decided_at is not None]
    return ApprovalFigures(total=len(approvals), by_status=dict(Counter(a.status_at(now) for a in approvals)),
                           by_action=dict(Counter(a.proposed_action for a in approvals)), decided=len(waits),
                           median_decision_seconds=percentile(waits, 0.5), p90_decision_seconds=percentile(waits, 0.9))


def cost_lines(entries: list[LedgerEntry]) -> list[CostLine]:
    counts: Counter[str] = Counter(entry.kind for entry in entries)
    totals: Counter[str] = Counter()
    for entry in entries:
        totals[entry.kind] += entry.amount_minor
    order = [kind for kind in LEDGER_LABELS if kind in counts] + sorted(set(counts) - set(LEDGER_LABELS))
    return [CostLine(kind=kind, label=LEDGER_LABELS.get(kind, kind), entries=counts[kind], amount_minor=totals[kind])
            for kind in order]


def calls_per_day(report_range: ReportRange, calls: list[Call]) -> list[tuple[date, int]]:
    per_day = Counter(call.created_at.astimezone(UTC).date() for call in calls)
    return [(day, per_day.get(day, 0)) for day in report_range.days]


def call_rows(calls: list[Call], names: dict[str, str]) -> list[CallRow]:
    from shared.platform.observability import mask_phone

    return [CallRow(placed_at=call.created_at, workflow=names.get(call.workflow_id, call.workflow_id),
                    phone=mask_phone(call.target_phone) or "", status=call.status, outcome=call.outcome,
                    talk_seconds=call.duration_seconds, charged_minor=call.charged_minor) for call in calls]


def top_objections(calls: list[Call], limit: int = TOP_OBJECTIONS) -> list[tuple[str, int]]:
    heard = Counter(objection for call in calls for objection in call.objections)
    return sorted(heard.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


def analysis_figures(calls: list[Call]) -> AnalysisFigures:
    """Sums of the analysed calls' `interested`, `sentiment`, `objections` and `next_step`."""
    readings = [call.analysis.fields for call in calls if call.analysis is not None]
    interest = Counter(fields.get("interested") for fields in readings)
    sentiment = Counter(fields["sentiment"] for fields in readings if isinstance(fields.get("sentiment"), str))
    return AnalysisFigures(
        analysed=len(readings), interested=interest[True], not_interested=interest[False], sentiment=dict(sentiment),
        top_objections=_most_said([text for fields in readings for text in _texts(fields.get("objections"))],
                                  TOP_OBJECTIONS),
        top_next_steps=_most_said(_texts([fields.get("next_step") for fields in readings]), TOP_NEXT_STEPS))


def _texts(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str) and item.strip()] if isinstance(value, list) else []


def _most_said(texts: list[str], limit: int) -> list[tuple[str, int]]:
    """The same words however spelled ("Too expensive." and "too expensive") counted once, shown as first said."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text in texts:
        key = " ".join(text.casefold().split()).rstrip(".!?")
        counts[key] += 1
        shown.setdefault(key, " ".join(text.split()))
    return sorted(((shown[key], count) for key, count in counts.items()), key=lambda pair: (-pair[1], pair[0]))[:limit]
