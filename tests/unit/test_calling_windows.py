"""Legal calling windows: a rule book's window must hold in every zone of every audience country."""

import pytest

from shared.compliance.calling_windows import LEGAL_WINDOWS, is_known_zone, legal_span, minutes_of, window_violations


def _hm(text: str) -> int:
    return minutes_of(text)


def test_a_window_inside_india_s_legal_hours_is_legal():
    assert window_violations(_hm("09:00"), _hm("21:00"), "Asia/Kolkata", ["mon", "sun"], ["IN"]) == []


@pytest.mark.parametrize(("start", "end", "bound"), [("08:59", "20:00", "start"), ("10:00", "21:01", "end")])
def test_a_window_wider_than_india_s_is_refused_on_the_side_that_is_too_wide(start, end, bound):
    violations = window_violations(_hm(start), _hm(end), "Asia/Kolkata", ["mon"], ["IN"])

    assert [violation.bound for violation in violations] == [bound]


def test_a_us_window_in_eastern_time_must_also_hold_on_the_west_coast_and_in_hawaii():
    # 10:00-18:00 Eastern is 07:00-15:00 Pacific: before 08:00 there
    violations = window_violations(_hm("10:00"), _hm("18:00"), "America/New_York", ["tue"], ["US"])

    assert violations and violations[0].bound == "start"


def test_the_same_hours_in_each_recipient_s_local_time_are_legal_everywhere_in_the_us():
    assert window_violations(_hm("10:00"), _hm("18:00"), "America/New_York", ["tue"], ["US"],
                             recipient_local=True) == []


def test_the_widest_legal_eastern_window_for_the_whole_us_starts_when_hawaii_reaches_8am():
    # Hawaii has no daylight saving: 08:00 HST is 13:00 EST in winter and 14:00 EDT in summer
    assert legal_span("America/New_York", "wed", ["US"]) == (_hm("14:00"), _hm("21:00"))


def test_an_ist_window_is_never_legal_for_us_recipients_at_the_same_clock_time():
    assert legal_span("Asia/Kolkata", "mon", ["IN", "US"]) is None


def test_australia_forbids_sunday_calls_and_narrows_saturday():
    assert window_violations(_hm("10:00"), _hm("16:00"), "Australia/Sydney", ["sun"], ["AU"],
                             recipient_local=True)[0].bound == "days"
    assert legal_span("Australia/Sydney", "sat", ["AU"], recipient_local=True) == (_hm("09:00"), _hm("17:00"))


def test_a_window_converted_across_midnight_lands_on_the_next_day_and_is_checked_there():
    # 22:00-23:00 IST Monday is Monday morning in New York, far before 08:00
    violations = window_violations(_hm("22:00"), _hm("23:00"), "Asia/Kolkata", ["mon"], ["US"])

    assert violations and "mon" in violations[0].message


def test_an_unknown_country_is_reported_rather_than_allowed():
    assert window_violations(_hm("10:00"), _hm("11:00"), "UTC", ["mon"], ["ZZ"])[0].bound == "days"


def test_every_country_a_tenant_can_sign_up_with_has_a_legal_window_in_real_zones():
    assert set(LEGAL_WINDOWS) == {"IN", "US", "GB", "AU", "CA", "SG", "AE"}
    assert all(is_known_zone(zone) for legal in LEGAL_WINDOWS.values() for zone in legal.zones)


@pytest.mark.parametrize("text", ["9:00", "25:00", "10:60", "ten", "", "24:01"])
def test_malformed_times_are_not_read(text):
    assert minutes_of(text) is None
