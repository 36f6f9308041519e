"""The offline composer's wording: openers with their disclosures, goals and questions per campaign goal."""

from __future__ import annotations

from dataclasses import dataclass

from shared.workflows.rule_book import Disclosures


@dataclass(frozen=True)
class GoalText:
    purpose: str
    goals: tuple[str, ...]
    questions: tuple[str, ...]


GOAL_TEXTS: dict[str, GoalText] = {
    "collections": GoalText("your upcoming or missed payment",
                            ("Confirm the customer knows the amount and due date", "Agree a payment date or send a "
                             "payment link"), ("Will you be able to pay by the due date?",
                                               "Shall I send you a payment link?")),
    "renewal": GoalText("renewing your plan before you lose its benefits",
                        ("Renew the plan", "Learn why the customer has not renewed"),
                        ("What stopped you from renewing?", "Would you like to renew today?")),
    "appointment": GoalText("your upcoming appointment",
                            ("Confirm the appointment or arrange a reschedule",),
                            ("Can you make it at the booked time?", "If not, when would suit you?")),
    "survey": GoalText("a one-minute feedback survey", ("Record a score from 0 to 10 and the reason",),
                       ("On a scale of 0 to 10, how likely are you to recommend us?", "What is the main reason "
                        "for your score?")),
    "win_back": GoalText("what we can do to welcome you back", ("Bring the customer back", "Learn why they stopped"),
                         ("What kept you away lately?", "Would an offer help you come back?")),
    "cart_recovery": GoalText("the order you left in your cart",
                              ("Complete the order", "Learn what held them back"),
                              ("Was anything unclear about the order?", "Shall I help you complete it now?")),
    "order_confirmation": GoalText("confirming your cash-on-delivery order",
                                   ("Confirm the order, address and delivery availability",),
                                   ("Can you confirm your delivery address?", "Will someone be home to receive it?")),
    "lead_qualification": GoalText("the enquiry you made with us",
                                   ("Qualify the lead", "Book a callback for hot leads"),
                                   ("What is your budget?", "When are you planning to move or buy?",
                                    "Will you need a loan?")),
    "event_invite": GoalText("an upcoming event we would love you to join", ("Register the customer for the event",),
                             ("Would you like to attend?", "Which email should the invite go to?")),
    "general": GoalText("your account", ("Deliver the message and answer questions",),
                        ("Is now a good time for two minutes?",)),
}

#: Library categories worth a handler, per goal (opt-out and trust are always added).
GOAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "collections": ("already_paid", "payment_difficulty", "timing"),
    "renewal": ("price", "competitor", "need", "timing"),
    "appointment": ("timing", "call_back_later"),
    "survey": ("timing",),
    "win_back": ("need", "price", "timing"),
    "cart_recovery": ("price", "competitor", "timing"),
    "order_confirmation": ("timing", "information"),
    "lead_qualification": ("authority", "timing", "price"),
    "event_invite": ("timing", "need", "information"),
    "general": ("timing", "need", "call_back_later"),
}


def disclosure_block(persona: str, business: str, language: str, goal: str) -> tuple[str, Disclosures]:
    """The opener and the three disclosure sentences it contains (English, or romanised Hindi for 'hi')."""
    name = persona.capitalize()
    if language == "hi":
        ai = f"main {name} hoon, {business} ki taraf se ek AI assistant, aur yeh ek automated call hai"
        recording = "Yeh call record ki ja rahi hai"
        opt_out = "Agar aap yeh calls nahi chahte, to bas stop boliye"
        opener = f"Namaste, {ai}. {recording}. {opt_out}."
    else:
        ai = f"this is {name}, an AI assistant calling on behalf of {business}, and this is an automated call"
        recording = "This call is recorded for quality"
        opt_out = "If you would rather not get these calls, just say stop"
        opener = f"Hello, {ai}. {recording}. {opt_out}. I'm calling about {GOAL_TEXTS[goal].purpose}."
    return opener, Disclosures(ai_disclosure=ai, recording_notice=recording, opt_out=opt_out)


def voicemail_message(persona: str, business: str, goal: str) -> str:
    return (f"Hello, this is {persona.capitalize()}, an automated AI assistant calling on behalf of {business} about "
            f"{GOAL_TEXTS[goal].purpose}. We will try again later. To stop these calls, call us back and say stop.")
