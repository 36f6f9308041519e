"""A short human name for a workflow, read from its prompt: "SaaS renewal recovery", not the prompt cut at 80.

What the campaign does (its goal) and, when the prompt says, whose it is (the business in parentheses or
after "for") or what it sells ("SaaS", "gym", "insurance"). A prompt with no known goal is
"<business or subject> outreach", else keeps its first words.
"""

from __future__ import annotations

import re

from shared.workflows import composer_cues as cues

GOAL_LABELS = {
    "collections": "payment reminders", "renewal": "renewal recovery", "appointment": "appointment confirmations",
    "survey": "customer survey", "win_back": "win-back", "cart_recovery": "abandoned-cart recovery",
    "order_confirmation": "order confirmations", "lead_qualification": "lead qualification",
    "event_invite": "event invitations",
}
# What the campaign is about, when the prompt names no business: (label, pattern); first match wins.
SUBJECTS: tuple[tuple[str, str], ...] = (
    ("SaaS", r"\bsaas\b"), ("EMI", r"\bemi\b"), ("NPS", r"\bnps\b"), ("Webinar", r"\bwebinar"),
    ("Health insurance", r"health insurance"), ("Insurance", r"insurance|\bpolicy\b"), ("Gym", r"\bgym\b"),
    ("Dental", r"\bdental\b"), ("Real-estate", r"real[- ]estate"), ("Furniture", r"furniture"),
    ("Cash-on-delivery", r"cash[- ]on[- ]delivery|\bcod\b"), ("E-commerce", r"e-?commerce|online store"),
    ("Loan", r"\bloans?\b"), ("Subscription", r"subscription"),
)
# Goal labels the subject already says ("NPS customer survey" → "NPS survey").
SHORTER_WITH = {("NPS", "customer survey"): "survey", ("Webinar", "event invitations"): "invitations",
                ("EMI", "payment reminders"): "reminders"}
MAX_WORDS = 6
MAX_LENGTH = 60


def workflow_title(prompt: str) -> str:
    goal = cues.goal(prompt)
    label = GOAL_LABELS.get(goal)
    owner = cues.business(prompt) or _subject(prompt)
    if label is None:  # no known goal: whose or what it is about, else the prompt's first words
        return f"{owner} outreach" if owner and len(owner) <= MAX_LENGTH - 9 else _first_words(prompt)
    if owner is None:
        return _capitalised(label)
    title = f"{owner} {SHORTER_WITH.get((owner, label), label)}"
    return title if len(title) <= MAX_LENGTH else _capitalised(label)


def _subject(prompt: str) -> str | None:
    text = prompt.lower()
    return next((label for label, pattern in SUBJECTS if re.search(pattern, text)), None)


def _first_words(prompt: str) -> str:
    sentence = re.split(r"[.:;!?\n]", prompt.strip(), maxsplit=1)[0]
    words = sentence.replace(",", " ").split()[:MAX_WORDS]
    return _capitalised(" ".join(words)[:MAX_LENGTH].rstrip()) or "New campaign"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
