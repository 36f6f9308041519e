"""When a number may be called: the rule book's window and the legal window in every zone of the number."""

from datetime import datetime

import pytest

from shared.workflows.rule_book import CallingWindow
from shared.workflows.windows import number_zones, seconds_until_callable

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def window(start="09:00", end="20:00", timezone="America/New_York", recipient_local=False, days=EVERY_DAY):
    return CallingWindow(start=start, end=end, timezone=timezone, recipient_local=recipient_local, days=days)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_inside_the_window_a_number_may_be_called_now():
    assert seconds_until_callable(window(), "+12125550123", at("2026-12-02T15:00:00-05:00")) == 0


def test_before_the_window_the_wait_runs_to_its_opening():
    wait = seconds_until_callable(window(), "+12125550123", at("2026-12-02T07:30:00-05:00"))

    assert 90 * 60 <= wait <= 90 * 60 + 1


def test_a_west_coast_number_waits_for_its_own_legal_morning_even_when_the_rule_book_window_is_open():
    # 10:00 in New York is 07:00 in San Francisco: before the TCPA's 08:00 there.
    wait = seconds_until_callable(window(), "+14155550123", at("2026-12-02T10:00:00-05:00"))

    assert 60 * 60 <= wait <= 60 * 60 + 1


def test_recipient_local_windows_are_read_in_the_recipients_zone():
    local = window(start="10:00", end="18:00", recipient_local=True)

    assert seconds_until_callable(local, "+14155550123", at("2026-12-02T10:30:00-08:00")) == 0
    assert seconds_until_callable(local, "+14155550123", at("2026-12-02T09:30:00-08:00")) > 0


def test_days_outside_the_rule_book_wait_for_the_next_calling_day():
    weekdays = window(days=["mon", "tue", "wed", "thu", "fri"])

    wait = seconds_until_callable(weekdays, "+12125550123", at("2026-12-05T12:00:00-05:00"))  # a Saturday

    assert wait == pytest.approx((2 * 24 - 3) * 3600, abs=5)  # Monday 09:00


def test_india_is_called_between_nine_and_nine_ist():
    ist = window(start="08:00", end="22:00", timezone="Asia/Kolkata")

    assert seconds_until_callable(ist, "+919876543210", at("2026-12-02T08:30:00+05:30")) == pytest.approx(1800, abs=2)
    assert seconds_until_callable(ist, "+919876543210", at("2026-12-02T20:59:00+05:30")) == 0


def test_a_number_of_a_country_without_a_known_legal_window_is_never_callable():
    assert seconds_until_callable(window(), "+4915123456789", at("2026-12-02T12:00:00+01:00")) is None


def test_a_toll_free_number_maps_to_every_us_zone():
    assert {"America/New_York", "Pacific/Honolulu"} <= set(number_zones("+18005550123"))
