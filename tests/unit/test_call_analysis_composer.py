"""The offline composer (issue 13 §2): a post-call analysis without a model, the same for the same call — summary
from the outcome and the contact's words, sentiment and interest from the outcome and phrases, the callback time
in the campaign's zone, the concession from the approvals or the agent's offer, the call's objections."""

from datetime import UTC, datetime

import pytest

from shared.call_analysis.composer import OfflineAnalysisComposer, callback_moment
from shared.call_analysis.ports import AnalysisRequest, ConcessionOnCall, SpokenLine
from shared.workflows.rule_book import AnalysisField, default_analysis_fields

ENDED = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)  # 15:00 in Kolkata, a Wednesday


def request(*lines: tuple[str, str], outcome: str | None = None, objections: tuple[str, ...] = (),
            concessions: tuple[ConcessionOnCall, ...] = (), callback_asked: str | None = None,
            fields: list[AnalysisField] | None = None) -> AnalysisRequest:
    return AnalysisRequest(call_id="call_1", fields=tuple(fields or default_analysis_fields()),
                           transcript=tuple(SpokenLine(speaker, text) for speaker, text in lines), outcome=outcome,
                           objections=objections, concessions=concessions, callback_asked=callback_asked,
                           ended_at=ENDED, timezone="Asia/Kolkata", language="en", goals=("Renew the plan",))


OPENER = ("agent", "Hi, this is Priya, an AI assistant calling for Khata Cloud. This call is recorded.")


def analyse(**kwargs) -> dict:
    lines = kwargs.pop("lines", ())
    return OfflineAnalysisComposer().analyze(request(OPENER, *lines, **kwargs))


def test_a_converted_call_with_an_approved_discount_and_an_objection():
    answer = analyse(lines=[("contact", "Is this a scam?"), ("agent", "Not at all."),
                            ("contact", "Could you do 11% off? Then I'd sign up."),
                            ("agent", "Good news: I can offer you 11% off. Shall we go ahead?"),
                            ("contact", "Okay, that sounds good. Sign me up.")],
                     outcome="converted", objections=("Is this a scam?",),
                     concessions=(ConcessionOnCall("discount_percent", 11.0, None, "approved"),))

    assert answer == {
        "summary": "The contact agreed to go ahead. Objections raised: Is this a scam? A discount of 11% was agreed. "
                   "They said: \u201cOkay, that sounds good. Sign me up.\u201d",
        "sentiment": "positive", "interested": True, "callback_requested_at": None, "concession_percent": 11.0,
        "objections": ["Is this a scam?"], "next_step": "Follow up to complete what the contact agreed to."}


def test_the_same_call_always_reads_the_same():
    kwargs = {"lines": [("contact", "Hmm, tell me more.")], "outcome": "no_response"}

    assert analyse(**kwargs) == analyse(**kwargs)


def test_a_discount_granted_within_the_limit_is_read_from_the_agents_offer_not_its_refusals():
    answer = analyse(lines=[("contact", "Can you do 40% off?"),
                            ("agent", "I'm sorry, I'm not able to offer 40% off."),
                            ("contact", "What about ten percent?"), ("agent", "I can offer you 10% off."),
                            ("contact", "Sounds good, sign me up.")], outcome="converted")

    assert answer["concession_percent"] == 10.0


def test_a_discount_on_a_call_that_did_not_convert_was_not_agreed():
    answer = analyse(lines=[("agent", "I can offer you 10% off."), ("contact", "Sorry, I'm not interested.")],
                     outcome="not_interested",
                     concessions=(ConcessionOnCall("discount_percent", 20.0, None, "denied"),))

    assert answer["concession_percent"] is None
    assert answer["sentiment"] == "negative" and answer["interested"] is False
    assert "A concession they asked for was declined." in answer["summary"]
    assert answer["next_step"] == "None: the contact is not interested."


def test_an_opt_out_is_negative_and_not_interested():
    answer = analyse(lines=[("contact", "Please stop calling me.")], outcome="opted_out")

    assert (answer["sentiment"], answer["interested"]) == ("negative", False)
    assert answer["summary"].startswith("The contact asked not to be called again")
    assert answer["next_step"] == "None: do not contact this number again."


def test_a_transferred_call_says_a_colleague_took_it_over():
    answer = analyse(lines=[("contact", "Can I speak to a real person, please?")], outcome="transferred")

    assert answer["summary"].startswith("The contact asked for a person and was handed to a colleague.")
    assert answer["next_step"] == "The colleague who took the call follows up."


def test_a_callback_tomorrow_is_the_next_morning_in_the_campaigns_zone():
    answer = analyse(lines=[("contact", "I'm in a meeting. Can you call me back tomorrow?")], outcome="callback")

    assert answer["callback_requested_at"] == "2026-05-21T10:00:00+05:30"
    assert answer["summary"].startswith("The contact asked to be called back tomorrow.")
    assert answer["next_step"] == "Call the contact back tomorrow."
    assert (answer["sentiment"], answer["interested"]) == ("neutral", None)


def test_the_callback_approvals_words_win_over_the_transcript():
    answer = analyse(lines=[("contact", "Call me back later.")], outcome="callback",
                     callback_asked="call me back on friday at 11 am")

    assert answer["callback_requested_at"] == "2026-05-22T11:00:00+05:30"


@pytest.mark.parametrize(("words", "expected"), [
    ("call me back tomorrow at 5", "2026-05-21T17:00:00+05:30"),
    ("call me tomorrow at 9:30 am", "2026-05-21T09:30:00+05:30"),
    ("call me back at 6 pm", "2026-05-20T18:00:00+05:30"),  # later today
    ("call me back at 2 pm", "2026-05-21T14:00:00+05:30"),  # already past today: tomorrow
    ("kal 4 baje call karna", "2026-05-21T16:00:00+05:30"),
    ("call me back the day after tomorrow", "2026-05-22T10:00:00+05:30"),
    ("call me tonight", "2026-05-20T18:00:00+05:30"),
    ("call me back later today", "2026-05-20T17:00:00+05:30"),
    ("call me next week", "2026-05-27T10:00:00+05:30"),
    ("call me back on monday", "2026-05-25T10:00:00+05:30"),
    ("call me back on wednesday", "2026-05-27T10:00:00+05:30"),  # today is Wednesday: next week's
    ("call me back later", None),
])
def test_the_callee_s_words_for_when(words, expected):
    moment = callback_moment(words, ENDED, "Asia/Kolkata")

    assert (moment.isoformat() if moment else None) == expected


def test_a_silent_contact_reads_neutral_and_unknown():
    answer = analyse(outcome="no_response")

    assert answer["summary"] == "The contact answered but did not respond."
    assert (answer["sentiment"], answer["interested"], answer["objections"]) == ("neutral", None, [])
    assert answer["next_step"] == "Try the contact again later."


def test_not_interested_is_not_read_as_interested():
    answer = analyse(lines=[("contact", "No thanks, I'm not interested in that, it's too expensive.")])

    assert (answer["sentiment"], answer["interested"]) == ("negative", False)


def test_a_long_last_line_is_shortened_in_the_summary():
    answer = analyse(lines=[("contact", "word " * 80)], outcome="no_response")

    quoted = answer["summary"].split("They said: ")[1]
    assert len(quoted) <= 162 and quoted.endswith("\u2026\u201d")


def test_only_the_rule_books_fields_are_answered_and_an_added_one_is_null():
    fields = [AnalysisField(name="summary", type="string", description="x"),
              AnalysisField(name="budget", type="number", description="Their budget")]

    answer = analyse(lines=[("contact", "Sign me up.")], outcome="converted", fields=fields)

    assert set(answer) == {"summary", "budget"} and answer["budget"] is None
