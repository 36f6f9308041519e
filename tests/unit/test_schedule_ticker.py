"""The local stand-in for EventBridge Scheduler (infra_local/schedule_ticker.py): when a schedule is due, and
the ticker firing moto's schedules into the target catalog function."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.catalog import DIALER_FUNCTIONS, LambdaFunction
from infra_local.schedule_ticker import (
    ScheduleTicker,
    UnsupportedExpression,
    at_time,
    due_occurrence,
    parse_cron,
    within_dates,
)

GROUP = "campaign-runs"
TARGET_ARN = "arn:aws:lambda:us-east-1:123456789012:function:scheduled_runs"
ROLE_ARN = "arn:aws:iam::123456789012:role/callfunnel-local-scheduler"
# Monday 2025-06-02, 13:29:58 UTC = 09:29:58 in New York (EDT) = 18:59:58 in Kolkata
MONDAY = datetime(2025, 6, 2, 13, 29, 58, tzinfo=UTC)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- at() ---


def test_an_at_expression_is_read_in_its_time_zone() -> None:
    assert at_time("at(2025-06-02T09:30:00)", "America/New_York") == _utc(2025, 6, 2, 13, 30)
    assert at_time("at(2025-06-02T09:30:00)", None) == _utc(2025, 6, 2, 9, 30)
    assert at_time("cron(0 9 ? * MON *)", None) is None


def test_an_at_schedule_is_due_once_its_time_has_come_and_not_before() -> None:
    expression, zone = "at(2025-06-02T09:30:00)", "America/New_York"

    assert due_occurrence(expression, zone, MONDAY - timedelta(seconds=2), MONDAY) is None
    assert due_occurrence(expression, zone, MONDAY, MONDAY + timedelta(seconds=2)) == _utc(2025, 6, 2, 13, 30)
    # long past: still due (the ticker remembers what it fired, so it fires once)
    assert due_occurrence(expression, zone, MONDAY + timedelta(hours=5), MONDAY + timedelta(hours=6)) is not None


# --- cron() ---


def test_a_weekday_cron_is_due_in_the_minute_it_names_in_its_time_zone() -> None:
    expression, zone = "cron(30 9 ? * MON-FRI *)", "America/New_York"

    assert due_occurrence(expression, zone, MONDAY - timedelta(seconds=3), MONDAY) is None
    assert due_occurrence(expression, zone, MONDAY, MONDAY + timedelta(seconds=3)) == _utc(2025, 6, 2, 13, 30)
    # the next tick, a few seconds later, does not see it again
    later = MONDAY + timedelta(seconds=3)
    assert due_occurrence(expression, zone, later, later + timedelta(seconds=3)) is None


def test_a_cron_is_not_due_on_a_day_it_does_not_name() -> None:
    saturday = MONDAY - timedelta(days=2)

    assert due_occurrence("cron(30 9 ? * MON-FRI *)", "America/New_York", saturday,
                          saturday + timedelta(seconds=3)) is None
    assert due_occurrence("cron(30 9 ? * SAT *)", "America/New_York", saturday,
                          saturday + timedelta(seconds=3)) is not None


def test_eventbridge_numbers_the_days_of_the_week_from_sunday() -> None:
    monday = datetime(2025, 6, 2, 9, 30)
    cron = parse_cron("cron(30 9 ? * 2 *)")

    assert cron is not None and cron.matches(monday) and not cron.matches(monday + timedelta(days=1))
    assert parse_cron("cron(0 9 ? * 1,7 *)").days_of_week == frozenset({1, 7})


def test_cron_fields_accept_lists_ranges_steps_and_names() -> None:
    cron = parse_cron("cron(0/15 9-11 ? JAN,JUN * 2025)")

    assert cron.minutes == frozenset({0, 15, 30, 45}) and cron.hours == frozenset({9, 10, 11})
    assert cron.months == frozenset({1, 6}) and cron.years == frozenset({2025})
    assert cron.days_of_month is None and cron.days_of_week == frozenset(range(1, 8))


def test_a_day_of_month_cron_ignores_the_day_of_the_week() -> None:
    cron = parse_cron("cron(0 12 1 * ? *)")

    assert cron.matches(datetime(2025, 6, 1, 12, 0)) and not cron.matches(datetime(2025, 6, 2, 12, 0))


@pytest.mark.parametrize("expression", ["rate(5 minutes)", "cron(0 9 L * ? *)", "cron(0 9 ? * 2#1 *)",
                                        "cron(0 9 * *)", "cron(61 9 ? * * *)"])
def test_expressions_the_ticker_cannot_evaluate_are_refused(expression: str) -> None:
    with pytest.raises(UnsupportedExpression):
        due_occurrence(expression, None, MONDAY, MONDAY + timedelta(minutes=1))


def test_start_and_end_dates_bound_a_schedule() -> None:
    assert within_dates({}, MONDAY)
    assert not within_dates({"StartDate": MONDAY + timedelta(hours=1)}, MONDAY)
    assert not within_dates({"EndDate": MONDAY - timedelta(hours=1)}, MONDAY)


# --- The ticker against moto's scheduler ---


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def scheduler(monkeypatch) -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    for name, value in {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                        "MOTO_ACCOUNT_ID": "123456789012"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("scheduler", region_name="us-east-1")
        client.create_schedule_group(Name=GROUP)
        yield client


def _schedule(client: Any, name: str, expression: str, *, timezone: str = "America/New_York",
              **extra: Any) -> None:
    client.create_schedule(
        Name=name, GroupName=GROUP, ScheduleExpression=expression, ScheduleExpressionTimezone=timezone,
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": TARGET_ARN, "RoleArn": ROLE_ARN, "Input": json.dumps({"tenant_id": 7, "workflow_id": name})},
        **extra)


def _ticker(client: Any, clock: FakeClock) -> tuple[ScheduleTicker, list[tuple[str, dict[str, Any]]]]:
    invoked: list[tuple[str, dict[str, Any]]] = []

    def invoke(function: LambdaFunction, event: dict[str, Any]) -> Any:
        invoked.append((function.name, event))

    return ScheduleTicker(invoke, group=GROUP, scheduler=client, clock=clock, functions=DIALER_FUNCTIONS), invoked


def test_the_ticker_invokes_the_target_function_with_the_targets_input_once_per_occurrence(scheduler) -> None:
    # Given a weekday-morning schedule and a one-time schedule, and a ticker started just before 09:30 in New York
    _schedule(scheduler, "wf_daily", "cron(30 9 ? * MON-FRI *)")
    _schedule(scheduler, "wf_once", "at(2025-06-02T09:30:00)")
    clock = FakeClock(MONDAY)
    ticker, invoked = _ticker(scheduler, clock)

    # When it ticks before, across and after 09:30
    fired_before = ticker.tick()
    clock.now = MONDAY + timedelta(seconds=3)
    fired_across = ticker.tick()
    clock.now = MONDAY + timedelta(seconds=6)
    fired_after = ticker.tick()

    # Then each schedule fired once, into scheduled_runs, with its own input
    assert (fired_before, sorted(fired_across), fired_after) == ([], ["wf_daily", "wf_once"], [])
    assert sorted(invoked, key=lambda call: call[1]["workflow_id"]) == [
        ("scheduled_runs", {"tenant_id": 7, "workflow_id": "wf_daily"}),
        ("scheduled_runs", {"tenant_id": 7, "workflow_id": "wf_once"})]


def test_a_disabled_schedule_never_fires(scheduler) -> None:
    _schedule(scheduler, "wf_off", "at(2025-06-02T09:30:00)", State="DISABLED")
    ticker, invoked = _ticker(scheduler, FakeClock(MONDAY + timedelta(minutes=5)))

    assert ticker.tick() == [] and invoked == []


def test_a_one_time_schedule_set_to_delete_itself_is_deleted_once_fired(scheduler) -> None:
    _schedule(scheduler, "wf_once", "at(2025-06-02T09:30:00)", ActionAfterCompletion="DELETE")
    ticker, invoked = _ticker(scheduler, FakeClock(MONDAY + timedelta(minutes=5)))

    assert ticker.tick() == ["wf_once"] and len(invoked) == 1
    assert scheduler.list_schedules(GroupName=GROUP)["Schedules"] == []


def test_a_failing_target_is_logged_and_the_ticker_goes_on(scheduler, capsys) -> None:
    _schedule(scheduler, "wf_a", "at(2025-06-02T09:30:00)")
    _schedule(scheduler, "wf_b", "at(2025-06-02T09:31:00)")
    calls: list[str] = []

    def failing(function: LambdaFunction, event: dict[str, Any]) -> Any:
        calls.append(event["workflow_id"])
        raise RuntimeError("no such workflow")

    ticker = ScheduleTicker(failing, group=GROUP, scheduler=scheduler, clock=FakeClock(MONDAY + timedelta(hours=1)),
                            functions=DIALER_FUNCTIONS)

    assert sorted(ticker.tick()) == ["wf_a", "wf_b"] and sorted(calls) == ["wf_a", "wf_b"]
    assert "no such workflow" in capsys.readouterr().err
