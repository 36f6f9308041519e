"""EventBridge Scheduler schedules that start a workflow's runs: a `daily` or `weekdays` workflow, once
started, runs again every calling day at its window's opening, in the window's own time zone.

One schedule per workflow (`wf-{tenant}-{workflow}` in the campaign group), targeting the `scheduled_runs`
function with `{tenant_id, workflow_id}`. Pause and retire delete it. Where the scheduler is not configured
(no role), nothing is armed and the log says so.
"""

from __future__ import annotations

import contextlib
import json

from shared.compliance.calling_windows import minutes_of
from shared.platform.observability import get_logger
from shared.platform.settings import get_settings
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
    from shared.platform.aws import client

    scheduler = client("scheduler")
    request = {
        "Name": schedule_name(workflow), "GroupName": settings.campaign_schedule_group,
        "ScheduleExpression": expression(workflow),
        "ScheduleExpressionTimezone": workflow.rule_book.calling_window.timezone,
        "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
        "Target": {"Arn": settings.scheduled_runs_function_arn, "RoleArn": settings.scheduler_role_arn,
                   "Input": json.dumps({"tenant_id": workflow.tenant_id, "workflow_id": workflow.id})},
    }
    try:
        scheduler.create_schedule(**request)
    except scheduler.exceptions.ConflictException:
        scheduler.update_schedule(**request)
    return True


def disarm(workflow: Workflow) -> None:
    settings = get_settings()
    if not settings.scheduler_role_arn:
        return
    from shared.platform.aws import client

    scheduler = client("scheduler")
    with contextlib.suppress(scheduler.exceptions.ResourceNotFoundException):
        scheduler.delete_schedule(Name=schedule_name(workflow), GroupName=settings.campaign_schedule_group)


def start_scheduled(event: dict) -> dict:
    """The `scheduled_runs` function: start the run; a run already going or a workflow not ready is logged."""
    from shared.dialer import runs
    from shared.platform.errors import CallFunnelError

    tenant_id, workflow_id = int(event["tenant_id"]), str(event["workflow_id"])
    try:
        started = runs.start(tenant_id, workflow_id, trigger="schedule")
    except CallFunnelError as refused:
        get_logger().warning("scheduled run not started", extra={"workflow_id": workflow_id, "code": refused.code})
        return {"started": False, "code": refused.code}
    return {"started": True, "run_id": started.run_id, "targets_queued": started.targets_queued}
