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

    if callable_at(now):
        return 0
    moment = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    while moment - now < HORIZON:
        moment += STEP
        if callable_at(moment):
            return int((moment - now).total_seconds()) + 1
    return None
