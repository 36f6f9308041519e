"""Weekly report rendering: 10,000 synthetic calls through the figures and the PDF (target ≤ 2 s, median of 3).

Pure CPU: the calls, runs, approvals and ledger entries are made in memory (no AWS), so the figure is the
cost of computing the report and drawing it, which is what grows with the tenant's call volume.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

CALLS = 10_000
SAMPLES = 3
TARGET_SECONDS = 2.0
SEED = 20260518
FIRST_DAY = datetime(2026, 5, 18, tzinfo=UTC)
OUTCOMES = ["converted", "not_interested", "callback", "voicemail", "busy", "no_answer", "opted_out"]
OBJECTIONS = ["too expensive", "already have a provider", "call me later", "not the decision maker", "send an email"]


def synthetic_records(calls: int = CALLS, seed: int = SEED) -> dict[str, Any]:
    """Calls across 3 workflows and 7 days, one run per workflow, approvals and ledger entries to match."""
    from shared.approvals.models import Approval
    from shared.billing.models import LedgerEntry
    from shared.calls.models import Call
    from shared.dialer.models import Run

    rng = random.Random(seed)
    workflows = [f"wf_bench_{n}" for n in range(3)]
    made = []
    for index in range(calls):
        outcome = rng.choice(OUTCOMES)
        human = outcome not in {"voicemail", "busy", "no_answer"}
        made.append(Call(id=f"call_{index}", tenant_id=1, workflow_id=workflows[index % 3], run_id=f"run_{index % 3}",
                         segment=1, target_phone=f"+1415{rng.randrange(10**7):07d}", attempt=1, is_test=False,
                         status="completed" if human else "no-answer", answered_by="human" if human else None,
                         outcome=outcome, duration_seconds=rng.randrange(20, 300) if human else 0,
                         charged_minor=rng.randrange(5, 60) if human else 0,
                         objections=rng.sample(OBJECTIONS, rng.randrange(0, 3)) if human else [],
                         created_at=FIRST_DAY + timedelta(seconds=rng.randrange(7 * 86400))))
    made.sort(key=lambda call: call.created_at)
    runs = [Run(id=f"run_{n}", tenant_id=1, workflow_id=workflow, status="completed", trigger="api", is_test=False,
                currency="USD", targets_total=calls // 3, started_at=FIRST_DAY,
                counters={"targets_dialed": calls // 3, "targets_connected": calls // 5,
                          "targets_converted": calls // 20})
            for n, workflow in enumerate(workflows)]
    approvals = [Approval(id=f"apr_{n}", tenant_id=1, workflow_id=workflows[0], run_id="run_0",
                          target_phone="+14155550000", proposed_action="concession", proposed_value_minor=500,
                          currency="USD", rationale="asked", context={}, status="approved",
                          created_at=FIRST_DAY + timedelta(hours=n),
                          expires_at=FIRST_DAY + timedelta(hours=n, minutes=5),
                          decided_at=FIRST_DAY + timedelta(hours=n, seconds=30 + n)) for n in range(40)]
    ledger = [LedgerEntry(id=f"led_{n}", tenant_id=1, kind="call_charge", amount_minor=-call.charged_minor,
                          balance_after_minor=0, currency="USD", description="call", created_at=call.created_at)
              for n, call in enumerate(made) if call.charged_minor]
    return {"workflows": workflows, "calls": made, "runs": runs, "approvals": approvals, "ledger": ledger}


def build_report(records: dict[str, Any]) -> Any:
    """The figures, exactly as the service computes them from records it has read."""
    from shared.reports import models

    report_range = models.ReportRange(first_day=FIRST_DAY.date(), last_day=FIRST_DAY.date() + timedelta(days=6))
    names = {workflow: f"Bench workflow {workflow[-1]}" for workflow in records["workflows"]}
    calls = records["calls"]
    kpis = [models.workflow_kpis(workflow, names[workflow], False,
                                 [run for run in records["runs"] if run.workflow_id == workflow],
                                 [call for call in calls if call.workflow_id == workflow])
            for workflow in records["workflows"]]
    now = FIRST_DAY + timedelta(days=7)
    return models.WeeklyReport(tenant_name="Bench Tenant", currency="USD", range=report_range, generated_at=now,
                               workflows=kpis, approvals=models.approval_figures(records["approvals"], now),
                               top_objections=models.top_objections(calls), costs=models.cost_lines(records["ledger"]),
                               calls_per_day=models.calls_per_day(report_range, calls),
                               calls=models.call_rows(calls, names))


def run(calls: int = CALLS) -> dict:
    from shared.reports.pdf import render

    records = synthetic_records(calls)
    render(build_report(synthetic_records(50)))  # warm: imports and font metrics are a cold start's cost
    timings, size = [], 0
    for _ in range(SAMPLES):
        started = time.perf_counter()
        size = len(render(build_report(records)))
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    return {"calls": calls, "median_seconds": round(median, 3), "samples": [round(t, 3) for t in timings],
            "pdf_bytes": size, "target_seconds": TARGET_SECONDS, "ok": median <= TARGET_SECONDS}


if __name__ == "__main__":
    print(run())
