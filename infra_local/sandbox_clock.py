"""`/_sandbox/clock`: the laptop stack's time travel (local only, never deployed).

The dialer calls only inside each recipient's legal hours, so a campaign started at night on a laptop
would wait for the morning. `POST {"advance_to_next_window_for": "+14155550004"}` moves the stack's clock
forward to the next moment that number may be called for at least an hour (it stays put when that is now);
`POST {"now": "2026-12-02T15:00:00-05:00"}` moves it to a given time; `POST {"now": null}` returns to real
time; `GET` shows the stack's time and the offset. The clock keeps ticking after a move.

Move it forward only: what the stack wrote before a move (the wallet's ledger, consent, top-ups) keeps its
time, and the ledger never goes back, so a jump into the past dates new calls before the money and the
consent they depend on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from infra_local.http_adapter import HttpResponse, error_response, json_response
from shared.phones import country_of
from shared.platform import clock
from shared.workflows.windows import legal_hours_only, next_callable_moment

CLOCK_PATH = "/_sandbox/clock"
CALLABLE_FOR = timedelta(hours=1)  # long enough for a sandbox campaign to finish inside the window
# Times the stack can date from: tokens, trials and windows add days or years to "now", and datetime stops at
# year 9999 (moved to 9999-12-31, every request was a 500). Centuries of room either side of today.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def clock_response(method: str, body: bytes) -> HttpResponse:
    if method == "POST":
        try:
            wanted = json.loads(body or b"{}")
            if not isinstance(wanted, dict):
                raise TypeError("not an object")
        except (ValueError, TypeError):
            return error_response(400, 'A JSON object: {"now": …} or {"advance_to_next_window_for": …}',
                                  "VALIDATION_ERROR")
        if "advance_to_next_window_for" in wanted:
            problem = _advance_for(wanted["advance_to_next_window_for"])
        else:
            problem = _move_to(wanted.get("now"))
        if problem is not None:
            return problem
    elif method != "GET":
        return error_response(404, "Not found", "NOT_FOUND")
    return json_response(200, {"now": clock.now().isoformat(),
                               "offset_seconds": round(clock.offset().total_seconds())})


def _move_to(wanted: object) -> HttpResponse | None:
    try:
        target = datetime.fromisoformat(wanted) if wanted else None
    except (ValueError, TypeError):
        return _invalid("now: an ISO 8601 time with an offset, or null", "now")
    if target is not None and target.tzinfo is None:
        return _invalid("now: give the time zone offset, e.g. 2026-12-02T15:00:00-05:00", "now")
    if target is not None and not EARLIEST <= target < LATEST:
        return _invalid(f"now: a time from {EARLIEST.date()} to before {LATEST.date()}", "now")
    clock.move_to(target)
    return None


def _advance_for(phone: object) -> HttpResponse | None:
    field = "advance_to_next_window_for"
    if not isinstance(phone, str) or country_of(phone) is None:
        return _invalid(f"{field}: a phone number in E.164, e.g. +14155550004", field)
    moment = next_callable_moment(legal_hours_only(phone), phone, clock.now(), lasting=CALLABLE_FOR)
    if moment is None:
        return _invalid(f"{field}: this number has no legal calling hours we know", field)
    clock.move_to(moment)
    return None


def _invalid(message: str, field: str) -> HttpResponse:
    return json_response(400, {"error": message, "code": "VALIDATION_ERROR", "field": field})
