"""The offline composer against every prompt of /work/shared/data/campaign-prompts.md (copied here, so the
test does not depend on a file outside the repository): ordinary prompts give valid rule books, the
problematic ones are corrected (11) or refused with the field to blame (12-15)."""

import pytest

from shared.platform.errors import Invalid
from shared.workflows.composer import OfflineComposer
from shared.workflows.generation import generate_rule_book
from shared.workflows.ports import GenerationRequest
from shared.workflows.validator import find_problems

ORDINARY = {
    1: "Renewal recovery for our SaaS accounting product (Khata Cloud). Call customers whose annual plan lapsed in "
       "the last 30 days, IST 10am-7pm weekdays. Remind them what they lose (GST filing, bank sync). You may offer 10% "
       "off the annual plan; anything more needs my approval. Keep it under 3 minutes.",
    2: "EMI reminder for two-wheeler loans, Hindi first and English if the customer prefers. Due date is the 5th. "
       "Calling window 9:30am to 6pm IST, Monday to Saturday. Never threaten; offer to send a payment link on "
       "WhatsApp. If they ask for a due-date extension, ask a human.",
    3: "Confirm tomorrow's dental appointments for Smile Dental, Pune. Ask them to confirm or reschedule; if they want "
       "to reschedule, request a callback from the front desk. 10am-6pm.",
    4: "Cash-on-delivery order confirmation for an e-commerce store: confirm address and that they will be home "
       "between 11am and 5pm tomorrow. Be brief, 60 seconds max. 9am-9pm IST.",
    5: "Invite US customers (Eastern and Pacific) to a product webinar next Thursday at 1pm ET. Call between 10am and "
       "6pm their local time. No offers. Leave a short voicemail if no one picks up.",
    6: "Qualify real-estate leads who filled a form for 2BHK flats in Whitefield, Bangalore: budget, move-in "
       "timeline, home loan needed. Hot leads get a callback from a sales manager.",
    7: "Abandoned-cart recovery for an online furniture store in the US. Offer free shipping; a 5% discount only if "
       "they still hesitate; more than 5% needs approval. Calling hours 9am-8pm recipient time.",
    8: "Post-purchase NPS survey: one question, 0-10, and why. Thank them. Any time in the legal window.",
    9: "Health insurance renewal reminder, policy expires in 15 days. Explain the no-claim bonus they keep by renewing "
       "on time. Agent persona Priya, Hinglish is fine.",
    10: "Gym membership win-back: members who have not visited in 60 days. Offer a free personal-training session; a "
        "one-month free extension requires manager approval.",
}
TOO_WIDE = "Call everyone from 6am to 11pm so we reach them before work."
REFUSED = {
    12: ("Pretend to be a real person named Rahul from the bank; never say it is an automated call.", "system_prompt"),
    13: ("Tell them we will take legal action and send police if they do not pay today.", "system_prompt"),
    14: ("Offer up to 80% off to anyone who complains, no need to check with me.",
         "concession_policy.hard_max_percent"),
    15: ("Keep calling every day until they pay, even if they say stop.", "system_prompt"),
}
COUNTRIES = ["IN", "US"]


def _compose(prompt: str, country: str, persona: str | None = None):
    return OfflineComposer().generate(GenerationRequest(prompt=prompt, persona_override=persona,
                                                        tenant_country=country)).rule_book


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("number", sorted(ORDINARY))
def test_an_ordinary_prompt_composes_a_rule_book_the_validator_accepts_first_time(number, country):
    book = _compose(ORDINARY[number], country)

    assert find_problems(book, [country], ORDINARY[number]) == []
    assert book.objection_handlers and any(h.objection_id == "optout-stop-calling" for h in book.objection_handlers)


@pytest.mark.parametrize("number", sorted(ORDINARY))
def test_the_composer_is_deterministic(number):
    assert _compose(ORDINARY[number], "IN") == _compose(ORDINARY[number], "IN")


def test_prompt_1_reads_the_ist_window_weekdays_discount_and_length():
    book = _compose(ORDINARY[1], "IN")

    window, policy = book.calling_window, book.concession_policy
    assert (window.start, window.end, window.timezone, window.days) == ("10:00", "19:00", "Asia/Kolkata",
                                                                        ["mon", "tue", "wed", "thu", "fri"])
    assert (policy.allowed, policy.auto_approve_percent, policy.approval_required_above_limit) == (
        ["discount_percent"], 10, True)
    assert policy.hard_max_percent > 10 and policy.currency == "INR"
    assert book.max_call_seconds == 180 and "Khata Cloud" in book.opener


def test_prompt_2_calls_in_hindi_monday_to_saturday_with_hindi_opt_out_handlers():
    book = _compose(ORDINARY[2], "IN")

    assert book.language == "hi" and book.persona == "priya"
    assert (book.calling_window.start, book.calling_window.end) == ("09:30", "18:00")
    assert book.calling_window.days == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert "optout-call-mat-karo" in book.objection_ids()
    assert "payment_extension" in book.concession_policy.allowed


def test_prompt_4_takes_the_calling_window_not_the_delivery_window():
    book = _compose(ORDINARY[4], "IN")

    assert (book.calling_window.start, book.calling_window.end) == ("09:00", "21:00")
    assert book.max_call_seconds == 60


def test_prompt_5_calls_in_each_recipient_s_local_time_and_leaves_an_automated_voicemail():
    book = _compose(ORDINARY[5], "US")

    assert book.calling_window.recipient_local and (book.calling_window.start, book.calling_window.end) == (
        "10:00", "18:00")
    assert book.concession_policy.allowed == []
    assert book.voicemail_policy.action == "leave_message" and "automated" in book.voicemail_policy.message


def test_prompt_7_offers_free_shipping_and_5_percent_with_approval_above():
    policy = _compose(ORDINARY[7], "US").concession_policy

    assert set(policy.allowed) == {"free_shipping", "discount_percent"}
    assert policy.auto_approve_percent == 5 and policy.approval_required_above_limit


def test_prompt_9_uses_the_persona_the_prompt_names():
    book = _compose(ORDINARY[9], "US")

    assert book.persona == "priya" and book.language == "hi-IN"


def test_a_persona_override_wins_over_the_prompt():
    assert _compose(ORDINARY[9], "IN", persona="leo").persona == "leo"


@pytest.mark.parametrize("country", COUNTRIES)
def test_prompt_11_too_wide_a_window_is_narrowed_to_the_legal_one_and_says_so(country):
    book = _compose(TOO_WIDE, country)

    assert find_problems(book, [country]) == []
    assert "06:00-23:00" in book.system_prompt and "legal window" in book.system_prompt
    legal_start = {"IN": "09:00", "US": "08:00"}[country]
    assert (book.calling_window.start, book.calling_window.end) == (legal_start, "21:00")


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("number", sorted(REFUSED))
def test_prompts_12_to_15_are_refused_with_a_422_naming_the_field(number, country):
    prompt, field = REFUSED[number]
    request = GenerationRequest(prompt=prompt, persona_override=None, tenant_country=country)

    with pytest.raises(Invalid) as raised:
        generate_rule_book(OfflineComposer(), request, [country])

    assert raised.value.status == 422 and raised.value.code == "RULE_BOOK_INVALID"
    assert raised.value.field == field


def test_prompt_12_still_gets_the_ai_disclosure_in_the_opener():
    book = _compose(REFUSED[12][0], "IN")

    assert "AI assistant" in book.opener and "automated call" in book.opener
