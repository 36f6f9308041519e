"""Legal calling windows per country, in the recipient's local time, and checks of a rule book's window.

Sources and assumptions (a rule book may only narrow these):
- US: TCPA, 47 CFR 64.1200(c)(1): 08:00-21:00 recipient-local, every day.
- IN: TRAI's TCCCPR gives no hours for transactional/service calls; we use 09:00-21:00 (conservative).
- GB: Ofcom sets no hours; DMA code practice. Conservative: 09:00-20:00 Mon-Sat, never on Sunday.
- CA: CRTC Unsolicited Telecommunications Rules: 09:00-21:30 weekdays, 10:00-18:00 weekends.
- AU: Telemarketing and Research Industry Standard 2017: 09:00-20:00 weekdays, 09:00-17:00 Saturday,
  never on Sunday (public holidays are the dialer's business).
- SG: no statutory hours under the PDPA's DNC regime; conservative 09:00-20:00 every day.
- AE: TDRA telemarketing rules (Cabinet Resolution 56 of 2024): 09:00-18:00 every day.
A multi-zone country must be legal in every one of its zones; offsets are sampled on many dates of a
year so both daylight-saving states (north and south) are covered.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
Span = tuple[int, int]  # minutes after local midnight: [start, end)


@dataclass(frozen=True)
class LegalWindow:
    weekday: Span
    saturday: Span | None
    sunday: Span | None
    zones: tuple[str, ...]

    def on(self, day_index: int) -> Span | None:
        return self.weekday if day_index < 5 else (self.saturday if day_index == 5 else self.sunday)


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _every_day(start: str, end: str, zones: tuple[str, ...]) -> LegalWindow:
    span = (_hm(start), _hm(end))
    return LegalWindow(span, span, span, zones)


LEGAL_WINDOWS: dict[str, LegalWindow] = {
    "US": _every_day("08:00", "21:00", ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                                        "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu")),
    "IN": _every_day("09:00", "21:00", ("Asia/Kolkata",)),
    "GB": LegalWindow((_hm("09:00"), _hm("20:00")), (_hm("09:00"), _hm("20:00")), None, ("Europe/London",)),
    "CA": LegalWindow((_hm("09:00"), _hm("21:30")), (_hm("10:00"), _hm("18:00")), (_hm("10:00"), _hm("18:00")),
                      ("America/St_Johns", "America/Halifax", "America/Toronto", "America/Winnipeg",
                       "America/Regina", "America/Edmonton", "America/Vancouver")),
    "AU": LegalWindow((_hm("09:00"), _hm("20:00")), (_hm("09:00"), _hm("17:00")), None,
                      ("Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide", "Australia/Darwin",
                       "Australia/Perth", "Australia/Hobart")),
    "SG": _every_day("09:00", "20:00", ("Asia/Singapore",)),
    "AE": _every_day("09:00", "18:00", ("Asia/Dubai",)),
}

#: Mondays spread over a year: every daylight-saving combination of the zones above occurs in one of them.
_REFERENCE_MONDAYS: tuple[date, ...] = tuple(date(2026, 1, 5) + timedelta(weeks=week) for week in range(0, 52, 2))


def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def minutes_of(text: str) -> int | None:
    """'HH:MM' (24 h, '24:00' allowed as the end of the day) as minutes after midnight, else None."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 2 or not all(part.isdigit() and len(part) == 2 for part in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@lru_cache(maxsize=4096)
def _offset_minutes(zone: str, on: date) -> int:
    moment = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    return int(moment.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)


def _shifts(zone: str, day_index: int, rule_zone: str | None) -> set[int]:
    """Minutes to add to a rule-zone time to get `zone` time, over the reference dates (0 when recipient-local)."""
    if rule_zone is None:
        return {0}
    return {_offset_minutes(zone, monday + timedelta(days=day_index)) - _offset_minutes(rule_zone, monday
                                                                                           + timedelta(days=day_index))
            for monday in _REFERENCE_MONDAYS}


def _local_span(start: int, end: int, shift: int, day_index: int) -> tuple[int, int, int]:
    """The window moved by `shift` minutes: (weekday index there, start, end) in that day's minutes."""
    moved_start = start + shift
    day_shift = moved_start // MINUTES_PER_DAY
    back = day_shift * MINUTES_PER_DAY
    return (day_index + day_shift) % 7, moved_start - back, end + shift - back


@dataclass(frozen=True)
class WindowViolation:
    bound: str  # "start", "end" or "days": what to change
    message: str


def window_violations(start: int, end: int, timezone: str, days: list[str], countries: Collection[str], *,
                      recipient_local: bool = False) -> list[WindowViolation]:
    """Why the window [start, end) minutes on `days` in `timezone` is not legal everywhere (empty when it is).

    With `recipient_local`, the window is read in each recipient's own zone, so only the hours count.
    """
    problems: list[WindowViolation] = []
    rule_zone = None if recipient_local else timezone
    for country in sorted(set(countries)):
        legal = LEGAL_WINDOWS.get(country)
        if legal is None:
            problems.append(WindowViolation("days", f"No legal calling window is known for country {country}"))
            continue
        for day in days:
            problems += _first_violations(country, legal, DAYS.index(day), start, end, rule_zone)
    return problems


def _first_violations(country: str, legal: LegalWindow, day_index: int, start: int, end: int,
                      rule_zone: str | None) -> list[WindowViolation]:
    """What is wrong in the first zone where the window does not hold (one per side that is too wide)."""
    for zone in legal.zones:
        for shift in sorted(_shifts(zone, day_index, rule_zone)):
            local_day, local_start, local_end = _local_span(start, end, shift, day_index)
            allowed = legal.on(local_day)
            message = _describe(country, zone, DAYS[local_day], local_start, local_end, allowed)
            if allowed is None:
                return [WindowViolation("days", message)]
            bounds = [bound for bound, wrong in (("start", local_start < allowed[0]), ("end", local_end > allowed[1]))
                      if wrong]
            if bounds:
                return [WindowViolation(bound, message) for bound in bounds]
    return []


def _describe(country: str, zone: str, day: str, start: int, end: int, allowed: Span | None) -> str:
    where = f"{country} ({zone})"
    if allowed is None:
        return f"Calls are not allowed on {day} in {where}"
    shown = f"{hhmm(start)}-{hhmm(end)}" if 0 <= end <= MINUTES_PER_DAY else f"{hhmm(start)} to {hhmm(end % 1440)}"
    return (f"The window is {shown} on {day} in {where}; the legal window there is "
            f"{hhmm(allowed[0])}-{hhmm(allowed[1])}")


def legal_span(timezone: str, day: str, countries: Collection[str], *, recipient_local: bool = False) -> Span | None:
    """The widest window on `day` in `timezone` that is legal for every country (None when there is none)."""
    day_index = DAYS.index(day)
    low, high = 0, MINUTES_PER_DAY
    rule_zone = None if recipient_local else timezone
    for country in set(countries):
        legal = LEGAL_WINDOWS.get(country)
        if legal is None:
            return None
        for zone in legal.zones:
            for shift in _shifts(zone, day_index, rule_zone):
                # Same local day when the window stays within it: the usual case for these zones.
                allowed = legal.on(day_index if shift == 0 else _local_span(12 * 60, 12 * 60, shift, day_index)[0])
                if allowed is None:
                    return None
                low, high = max(low, allowed[0] - shift), min(high, allowed[1] - shift)
    return (low, high) if low < high else None
