"""When a callback is placed: the callee's words in their own zone, capped, moved inside the windows."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.callbacks.timing import due_moment, read_requested_time, recipient_zone
from shared.workflows.rule_book import CallingWindow

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
NY_NUMBER = "+12125550127"
IN_NUMBER = "+919876543217"
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def local(text: str, zone: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def window(start="09:00", end="20:00", days=EVERY_DAY, timezone="America/New_York", recipient_local=True):
    return CallingWindow(start=start, end=end, timezone=timezone, recipient_local=recipient_local, days=days)


# Wednesday 2 December 2026, 11:00 in New York.
NOW = local("2026-12-02T11:00:00")


@pytest.mark.parametrize(("words", "expected", "said"), [
    ("Can you call me back tomorrow?", "2026-12-03T10:00:00", "tomorrow"),
    ("call me tomorrow at 3pm please", "2026-12-03T15:00:00", "tomorrow at 3pm"),
    ("tomorrow at 3", "2026-12-03T15:00:00", "tomorrow at 3"),
    ("tomorrow afternoon works", "2026-12-03T14:00:00", "tomorrow afternoon"),
    ("Monday morning", "2026-12-07T10:00:00", "monday morning"),
    ("this evening", "2026-12-02T18:00:00", "this evening"),
    ("next week", "2026-12-07T10:00:00", "next week"),
    ("the day after tomorrow at 9:30 am", "2026-12-04T09:30:00", "the day after tomorrow at 9:30 am"),
    ("at 4:15 pm", "2026-12-02T16:15:00", "at 4:15 pm"),
    ("at 9 am", "2026-12-03T09:00:00", "at 9 am"),  # 9 am has passed today: tomorrow's
])
def test_the_callees_words_name_a_local_moment(words: str, expected: str, said: str) -> None:
    found = read_requested_time(words, NEW_YORK, NOW)

    assert found is not None
    assert found.moment == local(expected)
    assert found.words == said


def test_a_relative_time_counts_from_now() -> None:
    found = read_requested_time("could you try again in two hours", NEW_YORK, NOW)

    assert found is not None and found.moment == NOW + timedelta(hours=2)
    assert found.words == "in two hours"


@pytest.mark.parametrize("words", ["later", "I'm busy, call back", "not now", ""])
def test_words_without_a_time_name_nothing(words: str) -> None:
    assert read_requested_time(words, NEW_YORK, NOW) is None


def test_nothing_parseable_means_the_next_morning_at_ten_local() -> None:
    due = due_moment(["Call me back later"], NY_NUMBER, window(), 7, NOW)

    assert due.due_at == local("2026-12-03T10:00:00")
    assert due.requested_text == "Call me back later"


def test_the_recipients_zone_is_the_numbers_not_the_campaigns() -> None:
    # 11:00 in New York is 21:30 in Kolkata: "tomorrow" for an Indian callee is their tomorrow at 10:00 IST.
    due = due_moment(["call me tomorrow"], IN_NUMBER, window(timezone="Asia/Kolkata"), 7, NOW)

    assert recipient_zone(IN_NUMBER).utcoffset(NOW.replace(tzinfo=None)) == timedelta(hours=5, minutes=30)
    assert due.due_at == local("2026-12-03T10:00:00", KOLKATA)


def test_a_time_outside_the_legal_window_moves_to_its_next_opening() -> None:
    # 22:00 is after the TCPA's 21:00 in New York: the next legal moment is 09:00 the next morning (the rule book's).
    due = due_moment(["tomorrow at 10pm"], NY_NUMBER, window(start="08:00", end="21:00"), 7, NOW)

    assert due.due_at == local("2026-12-04T08:00:00")


def test_a_time_outside_the_rule_books_window_moves_inside_it() -> None:
    due = due_moment(["tomorrow at 3pm"], NY_NUMBER, window(start="09:00", end="12:00"), 7, NOW)

    assert due.due_at == local("2026-12-04T09:00:00")


def test_a_weekend_callback_waits_for_monday_when_the_window_excludes_weekends() -> None:
    # Saturday 5 December: the rule book calls on weekdays only.
    due = due_moment(["saturday at 11am"], NY_NUMBER, window(days=WEEKDAYS), 7, NOW)

    assert due.due_at == local("2026-12-07T09:00:00")


def test_a_callback_further_ahead_than_the_policy_allows_is_capped() -> None:
    due = due_moment(["in 3 weeks"], NY_NUMBER, window(), 2, NOW)

    assert due.due_at == NOW + timedelta(days=2)


def test_a_wall_clock_time_is_kept_across_a_dst_change() -> None:
    # Saturday 7 March 2026, New York; the clocks go forward on Sunday 8 March at 02:00.
    before = local("2026-03-07T12:00:00")
    found = read_requested_time("tomorrow at 3pm", NEW_YORK, before)

    assert found is not None and found.moment == local("2026-03-08T15:00:00")
    assert found.moment.utcoffset() == timedelta(hours=-4)  # EDT, one hour less than the day before


def test_a_time_inside_the_spring_forward_gap_reads_as_the_hour_after() -> None:
    before = local("2026-03-07T12:00:00")
    found = read_requested_time("tomorrow at 2:30 am", NEW_YORK, before)

    assert found is not None and found.moment.astimezone(NEW_YORK).hour == 3
