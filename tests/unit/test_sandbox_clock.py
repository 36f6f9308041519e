"""`/_sandbox/clock`'s "advance to the next window": forward to the next moment a number may be called for an
hour, never backwards, and unchanged when that is now."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from infra_local.sandbox_clock import CALLABLE_FOR, clock_response
from shared.workflows.windows import legal_hours_only, next_callable_moment

SAN_FRANCISCO = "+14155550004"  # America/Los_Angeles: UTC-8 in December; TCPA 08:00-21:00 local


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 12, 7, 20, 0, tzinfo=UTC), datetime(2026, 12, 7, 20, 0, tzinfo=UTC)),  # 12:00 there: now
    (datetime(2026, 12, 7, 12, 0, tzinfo=UTC), datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),  # 04:00: at 08:00
    (datetime(2026, 12, 8, 4, 30, tzinfo=UTC), datetime(2026, 12, 8, 16, 0, tzinfo=UTC)),  # 20:30: too late today
])
def test_the_next_window_is_the_next_hour_the_number_may_be_called(now, expected):
    moment = next_callable_moment(legal_hours_only(SAN_FRANCISCO), SAN_FRANCISCO, now, lasting=CALLABLE_FOR)

    assert moment == expected and moment >= now


def test_advancing_moves_the_stack_clock_forward_only():
    before = datetime.now(UTC)
    try:
        answer = clock_response("POST", json.dumps({"advance_to_next_window_for": SAN_FRANCISCO}).encode())
        moved = datetime.fromisoformat(json.loads(answer.body)["now"])
    finally:
        clock_response("POST", b'{"now": null}')

    assert answer.status == 200 and moved >= before - timedelta(seconds=1)
    assert 8 <= moved.astimezone(ZoneInfo("America/Los_Angeles")).hour < 20


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "3000-01-01T00:00:00Z"])
def test_a_time_the_stack_cannot_date_from_is_refused_and_the_clock_stays(now):
    # Moved to 9999-12-31, every request after it was a 500 (OverflowError: the trial's end, a token's expiry…)
    before = clock_response("GET", b"")
    try:
        answer = clock_response("POST", json.dumps({"now": now}).encode())
        after = clock_response("GET", b"")
    finally:
        clock_response("POST", b'{"now": null}')

    assert answer.status == 400 and json.loads(answer.body)["field"] == "now"
    assert abs(json.loads(after.body)["offset_seconds"] - json.loads(before.body)["offset_seconds"]) <= 1
