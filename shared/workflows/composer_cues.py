"""What the offline composer reads out of a plain-language campaign prompt, with plain regexes.

Each function takes the prompt and returns one cue (or None when the prompt does not say): the calling
window, its zone, days, discount limits, goal, language, persona, business name. Deliberately simple
and deterministic: it is the sandbox's stand-in for Claude, not a language model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.phones import to_e164
from shared.workflows.personas import PERSONAS

_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_RANGE = re.compile(rf"(?:\bbetween\s+)?{_CLOCK}\s*(?:-|–|—|\bto\b|\band\b|\buntil\b|\btill\b)\s*{_CLOCK}", re.I)
# Zone abbreviations count only right next to a time range ("IST 10am-7pm", "9am-9pm IST"), so "GST filing" is tax.
_ZONES: dict[str, str] = {
    "IST": "Asia/Kolkata", "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York", "CT": "America/Chicago",
    "CST": "America/Chicago", "CDT": "America/Chicago", "MT": "America/Denver", "MST": "America/Denver",
    "MDT": "America/Denver", "GMT": "Europe/London", "BST": "Europe/London", "UK": "Europe/London",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "SGT": "Asia/Singapore", "GST": "Asia/Dubai",
    "DUBAI": "Asia/Dubai", "SINGAPORE": "Asia/Singapore", "LONDON": "Europe/London", "SYDNEY": "Australia/Sydney",
}
_ZONE_WORD = re.compile(r"\b(" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")\b", re.I)
_RECIPIENT_LOCAL = re.compile(r"(their|recipient'?s?|customer'?s?|callee'?s?|their own)\s+(local\s+)?time"
                              r"|recipient time|\blocal time\b", re.I)
_CALL_WORDS = re.compile(r"call|window|hours|dial|reach", re.I)
ZONE_COUNTRY: dict[str, str] = {"Asia/Kolkata": "IN", "Europe/London": "GB", "Asia/Singapore": "SG",
                                "Asia/Dubai": "AE", "Australia/Sydney": "AU", "America/New_York": "US",
                                "America/Chicago": "US", "America/Denver": "US", "America/Los_Angeles": "US"}
_COUNTRY_WORDS: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"\b(US|USA|U\.S\.|United States|American)\b"), "IN": re.compile(r"\b(India|Indian)\b"),
    "GB": re.compile(r"\b(UK|United Kingdom|Britain|British)\b"), "CA": re.compile(r"\b(Canada|Canadian)\b"),
    "AU": re.compile(r"\b(Australia|Australian)\b"), "SG": re.compile(r"\bSingapore\b"),
    "AE": re.compile(r"\b(UAE|Dubai|Emirates)\b"),
}
_DAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_RANGE = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*(?:-|–|to|through)\s*(mon|tue|wed|thu|fri|sat|sun)",
                        re.I)


@dataclass(frozen=True)
class WindowCue:
    start: int  # minutes after midnight
    end: int
    zone: str | None
    recipient_local: bool


def _minutes(hours: str, minutes: str | None, meridiem: str | None, other_meridiem: str | None) -> int | None:
    hour, minute = int(hours), int(minutes or 0)
    marker = (meridiem or other_meridiem or "").lower().replace(".", "")
    if hour > 24 or minute > 59 or (marker and not 1 <= hour <= 12):
        return None
    if marker == "pm" and hour != 12:
        hour += 12
    elif marker == "am" and hour == 12:
        hour = 0
    return hour * 60 + minute


def calling_window(prompt: str) -> WindowCue | None:
    """The range that reads most like a calling window: near a zone or words like "call", "hours"."""
    best: tuple[int, int, WindowCue] | None = None
    for position, found in enumerate(_RANGE.finditer(prompt)):
        h1, m1, ap1, h2, m2, ap2 = found.groups()
        explicit = bool(ap1 or ap2 or m1 or m2 or found.group(0).lower().startswith("between"))
        if not explicit:
            continue
        start = _minutes(h1, m1, ap1, None if ap1 else (ap2 if ap2 and ap2.lower().startswith("a") else None))
        end = _minutes(h2, m2, ap2, None)
        if start is None or end is None:
            continue
        if not (ap1 or ap2) and not (m1 or m2) and end <= start:  # "between 9 and 6": the afternoon
            end += 12 * 60
        around = prompt[max(0, found.start() - 12):found.end() + 14]
        zone_word = _ZONE_WORD.search(around)
        zone = _ZONES[zone_word.group(1).upper()] if zone_word else None
        local = bool(_RECIPIENT_LOCAL.search(prompt[found.end():found.end() + 30]))
        score = 2 * bool(zone or local) + bool(_CALL_WORDS.search(prompt[max(0, found.start() - 30):found.start()]))
        cue = WindowCue(start, end, zone, local)
        if best is None or (score, position) >= best[:2]:
            best = (score, position, cue)
    return best[2] if best else None


def mentions_legal_window(prompt: str) -> bool:
    return bool(re.search(r"legal window|any ?time|anytime", prompt, re.I))


def countries(prompt: str) -> set[str]:
    return {country for country, pattern in _COUNTRY_WORDS.items() if pattern.search(prompt)}


def days(prompt: str) -> list[str] | None:
    names = list(_DAY_NAMES)
    text = prompt.lower()
    ranged = _DAY_RANGE.search(prompt)
    if ranged:
        first, last = _DAY_NAMES[ranged.group(1).lower()], _DAY_NAMES[ranged.group(2).lower()]
        return names[first:last + 1] if first <= last else None
    if re.search(r"weekdays|week days|working days|mon-fri|business days", text):
        return names[:5]
    if re.search(r"every ?day|daily|7 days|all week", text):
        return names
    if "weekend" in text:
        return names[5:]
    return None


_CONCESSION_CUES: tuple[tuple[str, str], ...] = (
    ("free_shipping", r"free shipping"), ("free_session", r"free [\w-]* ?session"),
    ("extended_trial", r"free extension|extended trial|free month|month free"),
    ("payment_extension", r"due[- ]date extension|payment extension|more time to pay"),
    ("fee_waiver", r"waive|waiver"),
)


@dataclass(frozen=True)
class OfferCue:
    auto_percent: int | None
    hard_percent: int | None
    credit_minor: int | None
    currency: str | None
    approval_mentioned: bool
    no_approval: bool
    no_offers: bool
    kinds: tuple[str, ...]


def offers(prompt: str) -> OfferCue:
    # "15 percent" / "15 per cent" say "15%"
    text = re.sub(r"(\d{1,3})\s*(?:percent|per\s*cent)\b", r"\1%", prompt.lower())
    auto = re.search(r"auto[- ]?approve\s*(?:up to\s*)?(\d{1,3})\s*%", text)
    hard = re.search(r"(?:max(?:imum)?|at most|(?:no|not|never) more than|no higher than|cap(?:ped)? at"
                     r"|(?:never|not|must not|mustn't|do not|don't) (?:exceed|go (?:above|over|beyond)))"
                     r"\s*(?:of\s*)?(\d{1,3})\s*%", text)
    # "up to N%" caps the discount (the largest, when several offers are named), unless it is the
    # auto-approve's own ("auto-approve up to 10%")
    up_to = max((int(found.group(1)) for found in re.finditer(r"up to\s*(\d{1,3})\s*%", text)
                 if not (auto and auto.start() <= found.start() < auto.end())), default=None)
    plain = re.search(r"(\d{1,3})\s*%\s*(?:off|discount)|(?:a|offer)\s+(\d{1,3})\s*%", text)
    credit = re.search(r"([$₹£]|rs\.?\s*|inr\s*|usd\s*)(\d[\d,]*)\s*(?:credit|off|waiver)", text)
    no_approval = bool(re.search(r"no need to (check|ask)|without (my )?approval|no approval", text))
    approval = bool(re.search(r"approv|ask a human|check with me|needs? my|manager", text)) and not no_approval
    auto_percent = int(auto.group(1)) if auto else None
    hard_percent = int(hard.group(1)) if hard else None
    if up_to is not None and hard_percent is None:
        hard_percent = up_to
        if auto_percent is None:
            auto_percent = hard_percent if no_approval else None
    if plain and auto_percent is None and up_to is None:
        auto_percent = int(plain.group(1) or plain.group(2))
    kinds = [kind for kind, pattern in _CONCESSION_CUES if re.search(pattern, text)]
    currency = None
    if credit:
        symbol = credit.group(1).strip().rstrip(".")
        currency = {"$": "USD", "usd": "USD", "£": "GBP"}.get(symbol, "INR")
    return OfferCue(auto_percent, hard_percent, int(credit.group(2).replace(",", "")) * 100 if credit else None,
                    currency, approval, no_approval, bool(re.search(r"\bno offers?\b|no discounts?", text)),
                    tuple(dict.fromkeys(kinds)))


GOALS: dict[str, str] = {  # goal kind -> cue pattern; first match wins
    "lead_qualification": r"qualif|\bleads?\b",
    "collections": r"\bemi\b|overdue|payment due|due date|collect|repayment|loan",
    "renewal": r"renew|lapsed|expir",
    "appointment": r"appointment|reschedul",
    "survey": r"survey|\bnps\b|feedback",
    "win_back": r"win[- ]back|not visited|haven't visited|come back",
    "cart_recovery": r"abandoned[- ]cart|cart recovery",
    "order_confirmation": r"order confirmation|cash[- ]on[- ]delivery|\bcod\b|confirm (the )?address",
    "event_invite": r"webinar|invite|event",
}


def goal(prompt: str) -> str:
    text = prompt.lower()
    return next((kind for kind, pattern in GOALS.items() if re.search(pattern, text)), "general")


def language(prompt: str, tenant_country: str) -> str:
    text = prompt.lower()
    if "hinglish" in text:
        return "hi-IN"
    if re.search(r"\bhindi\b|हिंदी", text):
        return "hi"
    return "en-IN" if tenant_country == "IN" else "en"


def persona(prompt: str) -> str | None:
    named = re.search(r"\b(" + "|".join(PERSONAS) + r")\b", prompt, re.I)
    if named:
        return named.group(1).lower()
    for name, pattern in (("amelia", r"warm|friendly"), ("leo", r"formal|professional"), ("kai", r"energetic|upbeat"),
                          ("anya", r"calm|gentle|empath")):
        if re.search(pattern, prompt, re.I):
            return name
    return None


def business(prompt: str) -> str | None:
    found = (re.search(r"\(([A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){0,4})\)", prompt)
             or re.search(r"\bfor ((?:[A-Z][\w&'-]*)(?: [A-Z][\w&'-]*){0,3})", prompt))
    return found.group(1).strip() if found else None


def max_call_seconds(prompt: str) -> int | None:
    found = re.search(r"(?:under|max(?:imum)?|within|at most)?\s*(\d{1,3})\s*(seconds?|secs?|minutes?|mins?)\s*(max)?",
                      prompt, re.I)
    if not found or not re.search(r"under|max|within|at most|keep it", prompt[max(0, found.start() - 15):found.end()],
                                  re.I):
        return None
    value = int(found.group(1))
    return value * 60 if found.group(2).lower().startswith("m") else value


def leaves_voicemail(prompt: str) -> bool:
    return bool(re.search(r"leave (a |an )?(short |brief )?(voicemail|voice mail|message)", prompt, re.I))


def callback(prompt: str) -> tuple[bool, str | None]:
    """(callbacks need a human, who calls back) from "request a callback from the front desk"."""
    found = re.search(r"call ?back from (?:the |a |an )?([a-z ]{3,30}?)(?:[.,;]|$)", prompt, re.I)
    return bool(found), found.group(1).strip() if found else None


def schedule_kind(prompt: str) -> str:
    text = prompt.lower()
    if re.search(r"every ?day|daily", text):
        return "daily"
    if "weekdays" in text:
        return "weekdays"
    if re.search(r"tomorrow|\bonce\b|next (mon|tue|wed|thu|fri|sat|sun)", text):
        return "once"
    return "manual"


# A number the prompt says to transfer callees to: "transfer to +1 415 555 0123", "put them through to our team at
# (415) 555-0123", "our sales desk on 020 7946 0018".
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().-]{6,18}\d")
_TRANSFER_WORDS = re.compile(r"transfer|put (?:them|callers?|people|it) through|connect|hand (?:them |it )?over|"
                             r"\bour [\w ]{0,20}(?:team|desk|line|office|manager)\b[^.]{0,12}\b(?:at|on)\b|"
                             r"speak to a (?:person|human)", re.I)


def transfer_number(prompt: str, country: str | None) -> str | None:
    """The E.164 number the prompt says to transfer callees to (a national number in the tenant's country), if any."""
    for found in _PHONE_LIKE.finditer(prompt):
        before = prompt[max(0, found.start() - 60):found.start()]
        if _TRANSFER_WORDS.search(before):
            number = to_e164(found.group(0), country)
            if number is not None:
                return number
    return None
