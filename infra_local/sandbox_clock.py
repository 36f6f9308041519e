"""`/_sandbox/clock`: the laptop stack's time travel (local only, never deployed).

The dialer calls only inside each recipient's legal hours, so a campaign started at night on a laptop
would wait for the morning. `POST {"now": "2026-12-02T15:00:00-05:00"}` moves the stack's clock there (it
keeps ticking); `POST {"now": null}` returns to real time; `GET` shows the stack's time and the offset.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from infra_local.http_adapter import HttpResponse, error_response, json_response
from shared.platform import clock

CLOCK_PATH = "/_sandbox/clock"


def clock_response(method: str, body: bytes) -> HttpResponse:
    if method == "POST":
        try:
            wanted = json.loads(body or b"{}").get("now")
            target = datetime.fromisoformat(wanted) if wanted else None
        except (ValueError, AttributeError, TypeError):
            return error_response(400, "now: an ISO 8601 time with an offset, or null", "VALIDATION_ERROR")
        if target is not None and target.tzinfo is None:
            return error_response(400, "now: give the time zone offset, e.g. 2026-12-02T15:00:00-05:00",
                                  "VALIDATION_ERROR")
        clock.shift(target - datetime.now(UTC) if target else timedelta(0))
    elif method != "GET":
        return error_response(404, "Not found", "NOT_FOUND")
    current = clock.now()
    return json_response(200, {"now": current.isoformat(),
                               "offset_seconds": round((current - datetime.now(UTC)).total_seconds())})
