"""What the composer reads from a prompt: windows, zones, limits, goal, language."""

import pytest

from shared.workflows import composer_cues as cues


@pytest.mark.parametrize(("prompt", "start", "end"), [
    ("Call 10am-7pm", 600, 1140),
    ("hours 10:00–19:00 please", 600, 1140),
    ("call between 9 and 6", 540, 1080),
    ("from 9:30am to 6pm", 570, 1080),
    ("10-7pm on weekdays", 600, 1140),
    ("12pm to 3pm", 720, 900),
])
def test_calling_windows_in_common_spellings(prompt, start, end):
    window = cues.calling_window(prompt)

    assert (window.start, window.end) == (start, end)


@pytest.mark.parametrize(("prompt", "zone"), [
    ("10am-7pm IST", "Asia/Kolkata"), ("PST 9am-5pm", "America/Los_Angeles"), ("9am-5pm ET", "America/New_York"),
    ("9am-5pm CT", "America/Chicago"), ("9am-5pm MT", "America/Denver"), ("9am-5pm BST", "Europe/London"),
    ("9am-5pm AEST", "Australia/Sydney"), ("9am-5pm SGT", "Asia/Singapore"), ("9am-5pm Dubai time", "Asia/Dubai"),
])
def test_a_zone_next_to_the_window_is_read(prompt, zone):
    assert cues.calling_window(prompt).zone == zone


def test_a_zone_like_word_away_from_the_window_is_not_a_zone():
    # GST here is India's Goods and Services Tax, not Gulf Standard Time
    assert cues.calling_window("Remind them about GST filing deadlines. Call 10am-6pm.").zone is None


def test_a_window_in_their_local_time_is_recipient_local():
    assert cues.calling_window("Call between 10am and 6pm their local time.").recipient_local


def test_numbers_that_are_not_times_are_not_a_window():
    assert cues.calling_window("NPS survey: one question, 0-10, and why.") is None


@pytest.mark.parametrize(("prompt", "auto", "hard", "no_approval"), [
    ("Offer up to 15% off.", None, 15, False),
    ("Max 20% discount, auto-approve up to 10%.", 10, 20, False),
    ("Offer up to 80% off, no need to check with me.", 80, 80, True),
    ("You may offer 10% off the plan.", 10, None, False),
])
def test_discount_limits(prompt, auto, hard, no_approval):
    offer = cues.offers(prompt)

    assert (offer.auto_percent, offer.hard_percent, offer.no_approval) == (auto, hard, no_approval)


def test_a_money_credit_is_read_in_minor_units_with_its_currency():
    offer = cues.offers("Give a $50 credit to unhappy customers.")

    assert (offer.credit_minor, offer.currency) == (5000, "USD")


@pytest.mark.parametrize(("prompt", "goal"), [
    ("Renewal recovery for lapsed plans", "renewal"), ("EMI reminder for loans", "collections"),
    ("Confirm dental appointments", "appointment"), ("Post-purchase NPS survey", "survey"),
    ("Gym membership win-back", "win_back"), ("Qualify real-estate leads; home loan needed", "lead_qualification"),
    ("Invite them to a webinar", "event_invite"), ("Hello there", "general"),
])
def test_the_goal(prompt, goal):
    assert cues.goal(prompt) == goal


@pytest.mark.parametrize(("prompt", "country", "language"), [
    ("Hindi first", "US", "hi"), ("Hinglish is fine", "IN", "hi-IN"), ("Plain call", "IN", "en-IN"),
    ("Plain call", "US", "en"),
])
def test_the_language(prompt, country, language):
    assert cues.language(prompt, country) == language


@pytest.mark.parametrize(("prompt", "days"), [
    ("weekdays", ["mon", "tue", "wed", "thu", "fri"]), ("Monday to Saturday", ["mon", "tue", "wed", "thu", "fri",
                                                                               "sat"]),
    ("every day", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), ("no days said", None),
])
def test_the_days(prompt, days):
    assert cues.days(prompt) == days


def test_a_tone_hint_picks_a_persona():
    assert cues.persona("Keep it calm and gentle") == "anya"
