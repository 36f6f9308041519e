"""When a callback is placed: the callee's words read in their own time zone, capped, then moved inside the window.

Pure functions (no table, no clock of their own). The words are the callee's ("tomorrow at 3pm", "in two hours",
"Monday morning", "this evening", "next week"); a day without a time means 10:00 local, a time without a day means
the next time the clock shows it, and words that name no time mean the next morning at 10:00. The moment is capped
at the rule book's `callback_policy.max_days_ahead` and then moved to the first moment both the recipient's legal
window and the rule book's calling window allow (`shared.workflows.windows.next_callable_moment`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.workflows.rule_book import CallingWindow
from shared.workflows.windows import next_callable_moment, number_zones

DEFAULT_HOUR = 10  # "the next morning (say 10:00 local)"
_PARTS_OF_DAY = {"morning": time(10), "noon": time(12), "midday": time(12), "lunchtime": time(13),
                 "afternoon": time(14), "evening": time(18), "tonight": time(19), "night": time(19)}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty five": 45,
            "a couple of": 2, "couple of": 2, "a few": 3, "few": 3, "half an": 0.5}
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
          "week": timedelta(weeks=1)}

_RELATIVE = re.compile(rf"\bin (?:(\d+(?:\.\d+)?)|({'|'.join(sorted(_NUMBERS, key=len, reverse=True))})) "
                       r"(minute|hour|day|week)s?\b")
_CLOCK = re.compile(r"\b(?:at |around |about |by )?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.?|p\.m\.?|o'?clock)?"
                    r"(?=\s|$|[,.!?])")
_DAY_WORDS = (
    (re.compile(r"\b(?:the )?day after tomorrow\b|\bparson\b"), 2),
    (re.compile(r"\btomorrow\b|\bkal\b"), 1),
    (re.compile(r"\btoday\b|\blater today\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b"), 0),
)
_NEXT_WEEK = re.compile(r"\bnext week\b")
_WEEKDAY = re.compile(rf"\b(?:next |this |on )?({'|'.join(_WEEKDAYS)})\b")
_PART = re.compile(rf"\b({'|'.join(_PARTS_OF_DAY)})\b")


@dataclass(frozen=True)
class Requested:
    """What the callee's words say: the local moment, and the words that said it ("tomorrow at 3pm")."""

    moment: datetime  # aware, in the recipient's zone
    words: str


def recipient_zone(e164: str) -> ZoneInfo:
    """The first zone the number rings in (the legal window is checked in every one of them afterwards)."""
    zones = number_zones(e164)
    return ZoneInfo(zones[0] if zones else "UTC")


def read_requested_time(text: str, zone: ZoneInfo, now: datetime) -> Requested | None:
    """The moment the callee's words name, in `zone`; None when they name no time at all ("later")."""
    spoken = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()
    local_now = now.astimezone(zone)
    relative = _RELATIVE.search(spoken)
    if relative:
        amount = float(relative.group(1)) if relative.group(1) else float(_NUMBERS[relative.group(2)])
        return Requested((local_now + amount * _UNITS[relative.group(3)]).replace(microsecond=0), relative.group(0))
    found: list[tuple[int, str]] = []
    day = _day(spoken, local_now.date(), found)
    at = _clock_time(spoken, found)
    if day is None and at is None:
        return None
    words = " ".join(text for _, text in sorted(found))
    if day is None:  # a time alone: the next time the clock shows it
        moment = _at(local_now.date(), at, zone)
        return Requested(moment if moment > local_now else _at(local_now.date() + timedelta(days=1), at, zone), words)
    moment = _at(day, at or time(DEFAULT_HOUR), zone)
    if day == local_now.date() and moment <= local_now:
        moment = local_now.replace(microsecond=0)  # "this morning", said at noon: as soon as allowed
    return Requested(moment, words)


def _day(spoken: str, today: date, found: list[tuple[int, str]]) -> date | None:
    for pattern, days_ahead in _DAY_WORDS:
        match = pattern.search(spoken)
        if match:
            found.append((match.start(), match.group(0)))
            return today + timedelta(days=days_ahead)
    match = _NEXT_WEEK.search(spoken)
    if match:
        found.append((match.start(), match.group(0)))
        return today + timedelta(days=7 - today.weekday())  # the coming Monday
    match = _WEEKDAY.search(spoken)
    if match:
        found.append((match.start(), match.group(0)))
        ahead = (_WEEKDAYS.index(match.group(1)) - today.weekday()) % 7
        return today + timedelta(days=ahead or 7)  # "Monday", said on a Monday: next week's
    return None


def _clock_time(spoken: str, found: list[tuple[int, str]]) -> time | None:
    for match in _CLOCK.finditer(spoken):
        hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", "")
        said_as_time = suffix or match.group(0).startswith(("at ", "around ", "about ", "by ")) or match.group(2)
        if not said_as_time or hour > 23 or minute > 59:
            continue
        if suffix.startswith("pm") and hour < 12:
            hour += 12
        elif suffix.startswith("am") and hour == 12:
            hour = 0
        elif not suffix.startswith(("am", "pm")) and 1 <= hour <= 7:
            hour += 12  # "at 3" on a business call is the afternoon
        found.append((match.start(), match.group(0).strip()))
        return time(hour, minute)
    match = _PART.search(spoken)
    if match:
        if not any(start <= match.start() < start + len(text) for start, text in found):
            found.append((match.start(), match.group(0)))
        return _PARTS_OF_DAY[match.group(1)]
    return None


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day in `zone`; a time skipped by a DST jump reads as the hour after it."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:  # inside a spring-forward gap
        aware = (naive + timedelta(hours=1)).replace(tzinfo=zone)
    return aware


def next_morning(zone: ZoneInfo, now: datetime) -> datetime:
    """10:00 local on the day after `now`."""
    return _at(now.astimezone(zone).date() + timedelta(days=1), time(DEFAULT_HOUR), zone)


@dataclass(frozen=True)
class DueMoment:
    due_at: datetime | None  # UTC; None: no callable moment within a week of the requested one
    requested_text: str  # the words that named the time, or the fallback's own text
    requested_at: datetime  # the moment asked for (or the fallback), capped, before the window moved it


def due_moment(texts: list[str], e164: str, window: CallingWindow, max_days_ahead: int, now: datetime) -> DueMoment:
    """When to place the callback: the first of `texts` that names a time (else the next morning), capped at
    `max_days_ahead`, then moved inside the legal and the rule book's windows."""
    zone = recipient_zone(e164)
    requested = next((found for found in (read_requested_time(text, zone, now) for text in texts if text) if found),
                     None)
    moment = requested.moment if requested else next_morning(zone, now)
    words = requested.words if requested else next((text for text in texts if text), "") or "later"
    latest = now + timedelta(days=max(0, max_days_ahead))
    moment = max(min(moment, latest), now)
    utc_moment = moment.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    return DueMoment(due_at=next_callable_moment(window, e164, utc_moment), requested_text=words,
                     requested_at=utc_moment)
