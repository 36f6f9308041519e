"""The EventBridge Scheduler expression of a scheduled workflow."""

from datetime import UTC, datetime

from shared.workflows.composer import OfflineComposer
from shared.workflows.models import Compliance, Workflow
from shared.workflows.ports import GenerationRequest
from shared.workflows.schedules import expression, schedule_name


def workflow(schedule_kind: str, days: list[str], start: str = "09:30") -> Workflow:
    rule_book = OfflineComposer().generate(GenerationRequest(prompt="Renewal reminders, 9am-8pm Eastern time",
                                                             persona_override=None, tenant_country="US")).rule_book
    rule_book = rule_book.model_copy(update={
        "schedule_kind": schedule_kind,
        "calling_window": rule_book.calling_window.model_copy(update={"start": start, "days": days})})
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return Workflow(id="wf_1", tenant_id=7, name="w", status="live", nl_prompt="p", is_test=False, author_user_id=None,
                    rule_book=rule_book, rule_book_id="rb", compliance=Compliance(), created_at=now, updated_at=now)


def test_a_daily_workflow_runs_at_its_window_opening_on_its_calling_days():
    assert expression(workflow("daily", ["mon", "wed", "sat"])) == "cron(30 9 ? * MON,WED,SAT *)"


def test_a_weekdays_workflow_never_runs_at_the_weekend():
    assert expression(workflow("weekdays", ["mon", "fri", "sat", "sun"], "10:00")) == "cron(0 10 ? * MON,FRI *)"


def test_one_schedule_per_workflow():
    assert schedule_name(workflow("daily", ["mon"])) == "wf-7-wf_1"
