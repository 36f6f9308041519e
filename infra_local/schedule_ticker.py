"""EventBridge Scheduler on the laptop: moto stores schedules but never fires them, so this ticker does.

Every few seconds it lists the schedules of the campaign-runs and the callbacks groups, works out which came due
since the previous tick (`at(...)` once, `cron(...)` on every matching minute, in the schedule's own time zone) and
invokes the target catalog function (`scheduled_runs`, `callbacks_due`: named by the target ARN's last segment)
with the target's `Input` as its event, through the stack's runtime. It reads the stack's clock, so moving the
sandbox clock (`/_sandbox/clock`) past a callback's due moment fires it. A one-time schedule whose
`ActionAfterCompletion` is DELETE is deleted once fired, as the service does.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions.catalog import FUNCTIONS, LambdaFunction
from infra_local.state_machines import function_name_of
from shared.platform import clock as stack_clock

TICK_SECONDS = 2.0
#: A cron schedule is checked minute by minute since the previous tick; a stalled stack catches up at most this far.
MAX_CATCH_UP = timedelta(hours=1)
_DAY_NAMES = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
_MONTH_NAMES = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}

Invoke = Callable[[LambdaFunction, dict[str, Any]], Any]


class UnsupportedExpression(ValueError):
    """An expression this ticker does not evaluate (rate(), L, W, #): the schedule is skipped, with a warning."""


# --- Expressions (pure) ---


def at_time(expression: str, timezone: str | None) -> datetime | None:
    """`at(2025-06-01T09:30:00)` → that instant (aware, UTC); None for another kind of expression."""
    expression = expression.strip()
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    local = datetime.strptime(expression[3:-1].strip(), "%Y-%m-%dT%H:%M:%S")
    return local.replace(tzinfo=ZoneInfo(timezone or "UTC")).astimezone(UTC)


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None: "?" (the days of the week decide)
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # EventBridge numbering: 1 = SUN … 7 = SAT; None: "?"
    years: frozenset[int] | None  # None: every year

    def matches(self, local: datetime) -> bool:
        day_of_week = (local.weekday() + 1) % 7 + 1  # Monday is 0 in Python, 2 in EventBridge
        return (local.minute in self.minutes and local.hour in self.hours and local.month in self.months
                and (self.days_of_month is None or local.day in self.days_of_month)
                and (self.days_of_week is None or day_of_week in self.days_of_week)
                and (self.years is None or local.year in self.years))


def parse_cron(expression: str) -> CronSchedule | None:
    """`cron(min hour day-of-month month day-of-week [year])` as EventBridge writes it; None for another kind."""
    expression = expression.strip()
    if not (expression.startswith("cron(") and expression.endswith(")")):
        return None
    fields = expression[5:-1].split()
    if len(fields) not in (5, 6):
        raise UnsupportedExpression(f"cron needs 5 or 6 fields: {expression}")
    minute, hour, day_of_month, month, day_of_week, *year = fields
    return CronSchedule(
        minutes=_field(minute, 0, 59), hours=_field(hour, 0, 23),
        days_of_month=None if day_of_month == "?" else _field(day_of_month, 1, 31),
        months=_field(month, 1, 12, _MONTH_NAMES),
        days_of_week=None if day_of_week == "?" else _field(day_of_week, 1, 7, _DAY_NAMES),
        years=None if not year or year[0] in ("*", "?") else _field(year[0], 1970, 2199),
    )


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        span, _, step_text = part.partition("/")
        if span in ("*", "?"):
            first, last = low, high
        elif "-" in span:
            start, end = span.split("-", 1)
            first, last = _value(start, names), _value(end, names)
        else:
            first = _value(span, names)
            last = high if step_text else first
        step = int(step_text) if step_text else 1
        if not (low <= first <= high and low <= last <= high) or step < 1:
            raise UnsupportedExpression(f"cron field out of range: {text}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise UnsupportedExpression(f"unsupported cron value: {text}")
    return int(text)


def due_occurrence(expression: str, timezone: str | None, since: datetime, now: datetime) -> datetime | None:
    """The latest time in (since, now] at which the schedule fires, or None.

    `at(...)` is due once its instant has passed, whatever `since` is (the ticker remembers it fired it);
    `cron(...)` is due when a matching minute starts after `since` and no later than `now`.
    """
    when = at_time(expression, timezone)
    if when is not None:
        return when if when <= now else None
    cron = parse_cron(expression)
    if cron is None:
        raise UnsupportedExpression(f"not evaluated locally: {expression}")
    zone = ZoneInfo(timezone or "UTC")
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    earliest = max(since, now - MAX_CATCH_UP)
    while minute > earliest:
        if cron.matches(minute.astimezone(zone)):
            return minute
        minute -= timedelta(minutes=1)
    return None


def within_dates(schedule: dict[str, Any], now: datetime) -> bool:
    """StartDate and EndDate bound when a schedule may fire."""
    start, end = schedule.get("StartDate"), schedule.get("EndDate")
    return (start is None or _aware(start) <= now) and (end is None or now <= _aware(end))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- The ticker ---


class ScheduleTicker:
    def __init__(self, invoke: Invoke, *, group: str | tuple[str, ...] | None = None, scheduler: Any = None,
                 clock: Callable[[], datetime] = stack_clock.now, tick_seconds: float = TICK_SECONDS,
                 functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> None:
        self._invoke = invoke
        self._groups = (group,) if isinstance(group, str) else group
        self._scheduler = scheduler
        self._clock = clock
        self._tick_seconds = tick_seconds
        self._functions = {function.name: function for function in functions}
        self._last_tick = clock()
        self._fired: set[tuple[str, str, str]] = set()  # (name, expression, occurrence)
        self._warned: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """Fire what came due since the previous tick; returns the names of the schedules fired."""
        now, since = self._clock(), self._last_tick
        self._last_tick = now
        fired = []
        scheduler = self._client()
        for group in self._group_names():
            fired.extend(self._tick_group(scheduler, group, since, now))
        return fired

    def _tick_group(self, scheduler: Any, group: str, since: datetime, now: datetime) -> list[str]:
        fired = []
        for summary in _all_schedules(scheduler, group):
            schedule = scheduler.get_schedule(GroupName=group, Name=summary["Name"])
            if schedule.get("State", "ENABLED") != "ENABLED" or not within_dates(schedule, now):
                continue
            occurrence = self._due(schedule, since, now)
            if occurrence is None:
                continue
            self._fire(schedule)
            fired.append(schedule["Name"])
            if schedule.get("ActionAfterCompletion") == "DELETE" and at_time(schedule["ScheduleExpression"], None):
                scheduler.delete_schedule(GroupName=group, Name=schedule["Name"])
        return fired

    def _due(self, schedule: dict[str, Any], since: datetime, now: datetime) -> datetime | None:
        expression = schedule["ScheduleExpression"]
        try:
            occurrence = due_occurrence(expression, schedule.get("ScheduleExpressionTimezone"), since, now)
        except (UnsupportedExpression, ValueError) as error:
            if schedule["Name"] not in self._warned:
                self._warned.add(schedule["Name"])
                sys.stderr.write(f"[schedules] {schedule['Name']} is never fired locally: {error}\n")
            return None
        key = (schedule["Name"], expression, occurrence.isoformat() if occurrence else "")
        if occurrence is None or key in self._fired:
            return None
        self._fired.add(key)
        return occurrence

    def _fire(self, schedule: dict[str, Any]) -> None:
        target = schedule["Target"]
        name = function_name_of(target["Arn"])
        function = self._functions.get(name)
        if function is None:
            sys.stderr.write(f"[schedules] {schedule['Name']} targets {target['Arn']}: not a catalog function\n")
            return
        print(f"[schedules] {schedule['Name']} fired: invoking {function.name}", flush=True)
        try:
            self._invoke(function, json.loads(target.get("Input") or "{}"))
        except Exception:
            sys.stderr.write(f"[schedules] {function.name} failed for {schedule['Name']}:\n")
            traceback.print_exc(file=sys.stderr)

    def _client(self) -> Any:
        if self._scheduler is None:
            from shared.platform.aws import client

            self._scheduler = client("scheduler")
        return self._scheduler

    def _group_names(self) -> tuple[str, ...]:
        if self._groups is None:
            from shared.platform.settings import get_settings

            settings = get_settings()
            self._groups = (settings.campaign_schedule_group, settings.callback_schedule_group)
        return self._groups

    def run(self) -> None:
        while not self._stop.wait(self._tick_seconds):
            try:
                self.tick()
            except Exception:  # moto stopping under us, or a bug here: say so and carry on
                if self._stop.is_set():
                    return
                traceback.print_exc(file=sys.stderr)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="schedule-ticker", daemon=True)
        self._thread.start()

    def stop(self, timeout_seconds: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_seconds)


def _all_schedules(scheduler: Any, group: str) -> list[dict[str, Any]]:
    schedules, token = [], None
    while True:
        page = scheduler.list_schedules(GroupName=group, **({"NextToken": token} if token else {}))
        schedules.extend(page.get("Schedules", []))
        token = page.get("NextToken")
        if not token:
            return schedules


def create_campaign_schedule_group() -> None:
    """Bootstrap step: the groups the functions create their schedules in (the cloud stack deploys them)."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    settings = get_settings()
    for group in (settings.campaign_schedule_group, settings.callback_schedule_group):
        client("scheduler").create_schedule_group(Name=group)
