"""When may this number be called? The rule book's window and the law, in every zone the number may ring in.

The legal window (RULES.md, `LEGAL_WINDOWS`) applies in each zone the number maps to (a toll-free US number
maps to many; the window must hold in all of them). The rule book's window applies in its own zone, or in the
recipient's zones when `recipient_local`. The answer is how long to wait: 0 now, None within a week never.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from shared.compliance.calling_windows import DAYS, LEGAL_WINDOWS, is_known_zone, minutes_of
from shared.phones import country_of
from shared.workflows.rule_book import CallingWindow

STEP = timedelta(minutes=5)
HORIZON = timedelta(days=8)


@lru_cache(maxsize=4096)
def number_zones(e164: str) -> tuple[str, ...]:
    """The IANA zones a number may ring in (the country's zones when the number says nothing better)."""
    import phonenumbers
    from phonenumbers import timezone as number_timezone

    country = country_of(e164)
    legal = LEGAL_WINDOWS.get(country or "")
    try:
        zones = number_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        zones = ()
    known = tuple(zone for zone in zones if is_known_zone(zone))
    return known or (legal.zones if legal else ())


def seconds_until_callable(window: CallingWindow, e164: str, now: datetime) -> int | None:
    moment = next_callable_moment(window, e164, now)
    if moment is None:
        return None
    return 0 if moment == now else int((moment - now).total_seconds()) + 1


def legal_hours_only(e164: str) -> CallingWindow:
    """A window that adds nothing to the law: the number's own legal hours decide alone."""
    zones = number_zones(e164)
    return CallingWindow(start="00:00", end="24:00", timezone=zones[0] if zones else "UTC", recipient_local=True,
                         days=list(DAYS))


def next_callable_moment(window: CallingWindow, e164: str, now: datetime, *,
                         lasting: timedelta = timedelta(0)) -> datetime | None:
    """`now` when the number may be called now (and still `lasting` later), else the next 5-minute mark when it
    may; None within a week never."""
    legal = LEGAL_WINDOWS.get(country_of(e164) or "")
    zones = number_zones(e164)
    start, end = minutes_of(window.start), minutes_of(window.end)
    if legal is None or not zones or start is None or end is None:
        return None
    rule_zones = tuple(ZoneInfo(zone) for zone in (zones if window.recipient_local else (window.timezone,)))
    legal_zones = tuple(ZoneInfo(zone) for zone in zones)
    days = set(window.days)

    def callable_at(moment: datetime) -> bool:
        for zone in rule_zones:
            local = moment.astimezone(zone)
            if DAYS[local.weekday()] not in days or not start <= local.hour * 60 + local.minute < end:
                return False
        for zone in legal_zones:
            local = moment.astimezone(zone)
            span = legal.on(local.weekday())
            if span is None or not span[0] <= local.hour * 60 + local.minute < span[1]:
                return False
        return True

    def callable_from(moment: datetime) -> bool:
        return callable_at(moment) and (not lasting or callable_at(moment + lasting - timedelta(minutes=1)))

    if callable_from(now):
        return now
    moment = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    while moment - now < HORIZON:
        moment += STEP
        if callable_from(moment):
            return moment
    return None
