"""EventBridge Scheduler schedules that start a workflow's runs: a `daily` or `weekdays` workflow, once
started, runs again every calling day at its window's opening, in the window's own time zone.

One schedule per workflow (`wf-{tenant}-{workflow}` in the campaign group), targeting the `scheduled_runs`
function with `{tenant_id, workflow_id}` (`shared.dialer.runs.start_scheduled`). Pause and retire delete it.
Where the scheduler is not configured (no role), nothing is armed and the log says so. The scheduler itself
is behind the orchestration port (`shared.providers.orchestration`).
"""

from __future__ import annotations

from shared.compliance.calling_windows import minutes_of
from shared.platform.observability import get_logger
from shared.platform.settings import get_settings
from shared.providers.orchestration.port import Schedule
from shared.providers.orchestration.selection import get_orchestrator
from shared.workflows.models import Workflow

_CRON_DAYS = {"mon": "MON", "tue": "TUE", "wed": "WED", "thu": "THU", "fri": "FRI", "sat": "SAT", "sun": "SUN"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def schedule_name(workflow: Workflow) -> str:
    return f"wf-{workflow.tenant_id}-{workflow.id}"


def expression(workflow: Workflow) -> str:
    """`cron(M H ? * DAYS *)` at the window's opening on its calling days (weekdays only for `weekdays`)."""
    window = workflow.rule_book.calling_window
    start = minutes_of(window.start) or 0
    days = [day for day in window.days if workflow.rule_book.schedule_kind != "weekdays" or day in WEEKDAYS]
    return f"cron({start % 60} {start // 60} ? * {','.join(_CRON_DAYS[day] for day in days) or '*'} *)"


def arm(workflow: Workflow) -> bool:
    settings = get_settings()
    if not (settings.scheduler_role_arn and settings.scheduled_runs_function_arn):
        get_logger().info("scheduler not configured: no schedule armed", extra={"workflow_id": workflow.id})
        return False
    get_orchestrator().put_schedule(Schedule(
        name=schedule_name(workflow), group=settings.campaign_schedule_group,
        expression=expression(workflow), timezone=workflow.rule_book.calling_window.timezone,
        target_arn=settings.scheduled_runs_function_arn, role_arn=settings.scheduler_role_arn,
        input={"tenant_id": workflow.tenant_id, "workflow_id": workflow.id}))
    return True


def disarm(workflow: Workflow) -> None:
    settings = get_settings()
    if not settings.scheduler_role_arn:
        return
    get_orchestrator().delete_schedule(schedule_name(workflow), settings.campaign_schedule_group)
