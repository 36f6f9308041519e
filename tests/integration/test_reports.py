"""`GET /reports/weekly` in-process on moto: calls, a run, approvals and ledger entries seeded through the
repositories; the PDF's text (pypdf) checked against the ledger and the runs endpoint; ranges and access."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest

from shared.platform import clock
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration

SIGNUP_MOMENT = datetime.fromisoformat("2026-05-17T12:00:00+00:00")
IN_RANGE = datetime.fromisoformat("2026-05-19T15:00:00+00:00")
AFTER_RANGE = datetime.fromisoformat("2026-05-25T09:00:00+00:00")
FIRST_DAY, LAST_DAY = date(2026, 5, 18), date(2026, 5, 24)
RANGE = f"from={FIRST_DAY}&to={LAST_DAY}"
PROMPT = "Renewal reminders for our US customers, 9am-8pm Eastern time every day, offer up to 20% off"


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())


def _seed_tenant(api, *, objection: str, calls_in_range: int):
    """A tenant with one workflow, one run, calls inside and after the range, an approval, ledger entries."""
    from shared.billing import ledger

    clock.freeze(SIGNUP_MOMENT)
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner, scope="read")["secret"]
    workflow = api.post("/workflows", {"nl_prompt": PROMPT, "is_test": False}, token=owner.token).body
    run_id = _seed_run(owner.tenant_id, workflow["id"])
    for index in range(calls_in_range):
        _seed_call(owner.tenant_id, workflow["id"], run_id, index, IN_RANGE + timedelta(hours=index * 20),
                   objection=objection)
    _seed_call(owner.tenant_id, workflow["id"], run_id, 99, AFTER_RANGE, objection="outside the range")
    _seed_approval(owner.tenant_id, workflow["id"], run_id)
    clock.freeze(IN_RANGE)
    ledger.credit_wallet(owner.tenant_id, 2500, kind="topup", description="top-up", external_event_id=None)
    ledger.debit_wallet(owner.tenant_id, 36, kind="call_charge", description="call", reference_id="res_1")
    ledger.debit_wallet(owner.tenant_id, 115, kind="number_charge", description="number", reference_id="num_1")
    clock.freeze(AFTER_RANGE)
    ledger.debit_wallet(owner.tenant_id, 999, kind="call_charge", description="late call", reference_id="res_2")
    return owner, key, workflow


def _seed_run(tenant_id: int, workflow_id: str) -> str:
    from shared.dialer import repository
    from shared.dialer.models import Run

    run = Run(id="run_report_1", tenant_id=tenant_id, workflow_id=workflow_id, status="completed", trigger="api",
              is_test=False, currency="USD", targets_total=12, started_at=IN_RANGE,
              ended_at=IN_RANGE + timedelta(days=2))
    repository.create(run)
    repository.add_counters(tenant_id, workflow_id, run.id, {"targets_dialed": 9, "targets_connected": 6,
                                                             "targets_converted": 3, "calls_placed": 11})
    return run.id


def _seed_call(tenant_id: int, workflow_id: str, run_id: str, index: int, at: datetime, *, objection: str) -> None:
    from shared.calls import repository
    from shared.calls.models import Call

    repository.claim(Call(id=f"call_{index}", tenant_id=tenant_id, workflow_id=workflow_id, run_id=run_id, segment=1,
                          target_phone=f"+1415555{index:04d}", attempt=1, is_test=False, status="completed",
                          answered_by="human", outcome="converted", objections=[objection], duration_seconds=90,
                          charged_minor=24, created_at=at))


def _seed_approval(tenant_id: int, workflow_id: str, run_id: str) -> None:
    from shared.approvals import repository
    from shared.approvals.models import Approval

    repository.create(Approval(id="apr_report_1", tenant_id=tenant_id, workflow_id=workflow_id, run_id=run_id,
                               target_phone="+14155550000", proposed_action="concession", proposed_value_minor=500,
                               currency="USD", rationale="asked for a discount", context={}, status="pending",
                               created_at=IN_RANGE, expires_at=IN_RANGE + timedelta(minutes=5)))
    decided = IN_RANGE + timedelta(seconds=75)
    repository.record_decision(tenant_id, "apr_report_1", status="approved", decided_at=decided, decided_by="owner",
                               note=None, now=decided)


def _ledger_in_range(tenant_id: int) -> dict[str, int]:
    from shared.billing import repository

    totals: dict[str, int] = {}
    for entry in repository.ledger(tenant_id, 100):
        if FIRST_DAY <= entry.created_at.date() <= LAST_DAY:
            totals[entry.kind] = totals.get(entry.kind, 0) + entry.amount_minor
    return totals


def test_the_pdf_matches_the_runs_and_the_ledger_for_the_range(api):
    owner, key, workflow = _seed_tenant(api, objection="too expensive", calls_in_range=3)

    reply = api.get("/reports/weekly", query=RANGE, token=key)

    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == "attachment; filename=callfunnel-weekly-2026-05-18-2026-05-24.pdf"
    text = _text(reply.raw)
    run = api.get(f"/workflows/{workflow['id']}/runs", token=key).body["runs"][0]
    kpis = [run["targets_total"], run["targets_dialed"], run["targets_connected"], run["targets_converted"]]
    assert f"{workflow['name']} 1 {' '.join(map(str, kpis))} 50.0% 3 1:30" in text
    totals = _ledger_in_range(owner.tenant_id)
    assert totals == {"topup": 2500, "call_charge": -36, "number_charge": -115}
    assert "Calls 1 -USD 0.36" in text and "Numbers 1 -USD 1.15" in text and "Top-ups 1 USD 25.00" in text
    assert "Total spent USD 1.51" in text and "USD 9.99" not in text
    assert "too expensive 3" in text and "outside the range" not in text
    assert "Requested 1" in text and "Status: approved 1" in text and "Median time to decision 1:15" in text
    assert "Appendix: calls (3)" in text and len(re.findall(r"\*{8}\d{4}", text)) == 3


def test_another_tenant_sees_only_its_own_figures(api):
    _seed_tenant(api, objection="too expensive", calls_in_range=3)
    _other, other_key, _ = _seed_tenant(api, objection="already have a provider", calls_in_range=1)

    text = _text(api.get("/reports/weekly", query=RANGE, token=other_key).raw)

    assert "already have a provider 1" in text and "too expensive" not in text and "Appendix: calls (1)" in text


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-05-25&to=2026-05-24", "from"), ("from=2026-05-01&to=2026-06-01", "to"),
    ("from=last-week", "from"), ("to=2026-02-30", "to")])
def test_a_bad_range_is_a_400_naming_the_field(api, query, field):
    clock.freeze(SIGNUP_MOMENT)
    owner = sign_up_and_log_in(api)

    reply = api.get("/reports/weekly", query=query, token=owner.token)

    assert reply.status == 400 and reply.body["code"] == "VALIDATION_ERROR" and reply.body["field"] == field


@pytest.mark.parametrize(("query", "field"), [
    ("from=9999-12-25&to=9999-12-31", "to"), ("to=9999-12-31", "to"),
    ("from=9999-12-30T23:00:00-05:00&to=9999-12-30", "from"), ("to=9999-12-31T23:59:59-01:00", "to"),
    ("from=0001-01-01&to=0001-01-07", "from"), ("to=0001-01-01", "to"),
    ("from=0001-01-01T00:00:00%2B01:00&to=2026-05-17", "from"), ("from=1969-12-31&to=1970-01-06", "from")])
def test_a_day_outside_the_calendar_we_can_report_on_is_a_400_not_a_500(api, query, field):
    clock.freeze(SIGNUP_MOMENT)
    owner = sign_up_and_log_in(api)

    reply = api.get("/reports/weekly", query=query, token=owner.token)

    assert (reply.status, reply.body["code"], reply.body["field"]) == (400, "VALIDATION_ERROR", field), reply.body
    assert "1970-01-01" in reply.body["error"] and "9999-12-30" in reply.body["error"]


@pytest.mark.parametrize(("query", "filename"), [
    ("from=9999-12-24&to=9999-12-30", "callfunnel-weekly-9999-12-24-9999-12-30.pdf"),
    ("from=1970-01-01&to=1970-01-07", "callfunnel-weekly-1970-01-01-1970-01-07.pdf"),
    ("to=1970-01-03", "callfunnel-weekly-1970-01-01-1970-01-03.pdf")])  # the default `from` stops at the edge
def test_the_first_and_last_days_we_report_on_render(api, query, filename):
    clock.freeze(SIGNUP_MOMENT)
    owner = sign_up_and_log_in(api)

    reply = api.get("/reports/weekly", query=query, token=owner.token)

    assert reply.status == 200, reply.body
    assert filename in reply.headers["content-disposition"] and reply.raw.startswith(b"%PDF-")


def test_without_a_range_the_report_covers_the_last_seven_days(api):
    clock.freeze(SIGNUP_MOMENT)
    owner = sign_up_and_log_in(api)

    reply = api.get("/reports/weekly", token=owner.token)

    assert reply.status == 200 and "callfunnel-weekly-2026-05-11-2026-05-17.pdf" in reply.headers["content-disposition"]
    assert "Range: 2026-05-11 to 2026-05-17" in _text(reply.raw)


def test_without_credentials_the_report_is_refused(api):
    reply = api.get("/reports/weekly", query=RANGE)

    assert reply.status == 401 and reply.body["code"] == "AUTH_REQUIRED"
