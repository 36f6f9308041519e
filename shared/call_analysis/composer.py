"""The offline composer: a post-call analysis without a model, for the sandbox and for tenants with no Anthropic key.

Deterministic — the same call always reads the same: the summary is composed from the outcome, the objections, the
concession decided and the contact's own last words; sentiment and interest from the outcome and the callee's
phrases (shared.conversation.phrases, the lists the turn engine acts on); the callback time from the callee's words
counted from the end of the call in the campaign's time zone; the concession from the approvals (else the agent's
own offer in the transcript). It fills the default fields; a field the tenant added reads null (an empty list).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from shared.call_analysis.models import zone
from shared.call_analysis.ports import AnalysisRequest
from shared.conversation import phrases

QUOTE_CHARS = 160
DEFAULT_CALLBACK_HOUR = 10  # a day named without an hour: the next business morning, as a person would read it

_OUTCOME_SENTENCES = {
    "converted": "The contact agreed to go ahead.",
    "not_interested": "The contact said they were not interested.",
    "callback": "The contact asked to be called back{when}.",
    "opted_out": "The contact asked not to be called again; the number is on the do-not-call list.",
    "no_response": "The contact answered but did not respond.",
    "transferred": "The contact asked for a person and was handed to a colleague.",
}
_NEXT_STEPS = {
    "converted": "Follow up to complete what the contact agreed to.",
    "not_interested": "None: the contact is not interested.",
    "callback": "Call the contact back{when}.",
    "opted_out": "None: do not contact this number again.",
    "no_response": "Try the contact again later.",
    "transferred": "The colleague who took the call follows up.",
}
_POSITIVE = (*phrases.CONVERT_PHRASES, "thank you", "thanks", "great", "perfect", "interested", "that works", "sure",
             "tell me more", "dhanyavaad", "shukriya", "accha")
_NEGATIVE = (*phrases.NOT_INTERESTED_PHRASES, *phrases.OPT_OUT_PHRASES, "too expensive", "expensive", "annoying",
             "waste", "no time", "not now", "scam", "angry", "stop")
_OFFERED = re.compile(r"\b(can|could|will|happy to)\b.{0,30}\b(offer|give|do)\b", re.IGNORECASE)
_REFUSED = re.compile(r"\b(not able|unable|can't|cannot|can not|won't|couldn't)\b", re.IGNORECASE)
_DAYS_AHEAD = (("day after tomorrow", 2), ("parson", 2), ("parso", 2), ("tomorrow", 1), ("kal", 1),
               ("next week", 7), ("tonight", 0), ("this evening", 0), ("this afternoon", 0), ("later today", 0))
_DEFAULT_HOURS = {"tonight": 18, "this evening": 18, "this afternoon": 15}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?|o'?clock|baje)(?=\W|$)"
                    r"|\bat (\d{1,2})(?:[:.](\d{2}))?\b", re.IGNORECASE)


class OfflineAnalysisComposer:
    name = "offline-composer"
    model: str | None = None

    def analyze(self, request: AnalysisRequest) -> dict[str, Any]:
        contact = [line.text for line in request.transcript if line.speaker == "contact"]
        agent = [line.text for line in request.transcript if line.speaker == "agent"]
        callback_words = request.callback_asked or next((text for text in contact if phrases.asks_callback(text)),
                                                        None)
        asked_when = callback_moment(callback_words, request.ended_at, request.timezone) if callback_words else None
        when = f" {phrases.when_text(callback_words)}" if callback_words else ""
        percent = agreed_percent(request, agent)
        readings = {
            "summary": summary(request, contact, when, percent),
            "sentiment": sentiment(request.outcome, contact),
            "interested": interested(request.outcome, contact),
            "callback_requested_at": asked_when.isoformat() if asked_when else None,
            "concession_percent": percent,
            "objections": list(request.objections),
            "next_step": _NEXT_STEPS.get(request.outcome or "", "Review the call.").format(when=when),
        }
        return {field.name: readings.get(field.name) for field in request.fields}


def summary(request: AnalysisRequest, contact: list[str], when: str, percent: float | None) -> str:
    sentences = [_OUTCOME_SENTENCES.get(request.outcome or "", "The call ended without a decision.").format(when=when)]
    if request.objections:
        sentences.append(_sentence(f"Objections raised: {'; '.join(request.objections)}"))
    if percent is not None:
        sentences.append(f"A discount of {percent:g}% was agreed.")
    elif any(concession.status == "denied" for concession in request.concessions):
        sentences.append("A concession they asked for was declined.")
    said = _telling_line(contact)
    if said:
        sentences.append(f"They said: \u201c{said}\u201d")
    return " ".join(sentences)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "।")) else f"{text}."


def _telling_line(contact: list[str]) -> str | None:
    """The contact's last line of three words or more (else their last line), shortened."""
    lines = [" ".join(text.split()) for text in contact if text.strip()]
    if not lines:
        return None
    line = next((text for text in reversed(lines) if len(text.split()) >= 3), lines[-1])
    return line if len(line) <= QUOTE_CHARS else line[:QUOTE_CHARS - 1].rstrip() + "\u2026"


def sentiment(outcome: str | None, contact: list[str]) -> str:
    if outcome == "opted_out":
        return "negative"
    if outcome == "converted":
        return "positive"
    score = sum(_cue_balance(text) for text in contact) - (1 if outcome == "not_interested" else 0)
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def _cue_balance(text: str) -> int:
    """Positive cues minus negative ones; negative phrases are taken out first ("not interested" is no "interested")."""
    spoken = f" {phrases.normalise(text)} "
    negatives = 0
    for cue in _NEGATIVE:
        needle = f" {phrases.normalise(cue)} "
        negatives += spoken.count(needle)
        spoken = spoken.replace(needle, " ")
    return sum(spoken.count(f" {phrases.normalise(cue)} ") for cue in _POSITIVE) - negatives


def interested(outcome: str | None, contact: list[str]) -> bool | None:
    if outcome == "converted":
        return True
    if outcome in ("not_interested", "opted_out"):
        return False
    if any(phrases.is_converting(text) for text in contact):
        return True
    if outcome != "callback" and any(phrases.is_not_interested(text) for text in contact):
        return False
    return None


def agreed_percent(request: AnalysisRequest, agent: list[str]) -> float | None:
    """The discount agreed: on a converted call, the one a human approved (the highest), else the agent's last
    offer in the transcript; None on a call that did not convert."""
    if request.outcome != "converted":
        return None
    approved = [concession.percent for concession in request.concessions
                if concession.status == "approved" and concession.percent is not None]
    if approved:
        return max(approved)
    offers = [phrases.percents(text)[-1] for text in agent
              if phrases.percents(text) and _OFFERED.search(text) and not _REFUSED.search(text)]
    return offers[-1] if offers else None


def callback_moment(words: str, ended_at: datetime, timezone: str) -> datetime | None:
    """When the callee asked to be called back, in the campaign's zone: a day ("tomorrow", "kal", "friday", "next
    week") and/or an hour ("at 5", "5 pm", "5 baje"); None when they named neither."""
    local = ended_at.astimezone(zone(timezone))
    spoken = f" {phrases.normalise(words)} "
    day_word = next((word for word, _ in _DAYS_AHEAD if f" {word} " in spoken), None)
    weekday = next((index for index, name in enumerate(_WEEKDAYS) if f" {name} " in spoken), None)
    hour, minute = _clock(words)
    if day_word == "later today":
        return (local + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    if day_word is not None:
        day = local.date() + timedelta(days=dict(_DAYS_AHEAD)[day_word])
        hour = hour if hour is not None else _DEFAULT_HOURS.get(day_word, DEFAULT_CALLBACK_HOUR)
    elif weekday is not None:
        day = local.date() + timedelta(days=(weekday - local.weekday() - 1) % 7 + 1)
        hour = hour if hour is not None else DEFAULT_CALLBACK_HOUR
    elif hour is not None:
        later_today = (hour, minute) > (local.hour, local.minute)
        day = local.date() + timedelta(days=0 if later_today else 1)
    else:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local.tzinfo)


def _clock(words: str) -> tuple[int | None, int]:
    """The hour and minute named ("at 5" in business hours is 17:00), or (None, 0)."""
    found = _CLOCK.search(words)
    if found is None:
        return None, 0
    hour_text, minute_text, marker = (found.group(1), found.group(2), found.group(3)) if found.group(1) else (
        found.group(4), found.group(5), None)
    hour, minute = int(hour_text), int(minute_text or 0)
    if hour > 23 or minute > 59:
        return None, 0
    marker = (marker or "").lower().replace(".", "")
    if marker == "am":
        hour %= 12
    elif marker == "pm":
        hour = hour % 12 + 12
    elif hour < 8:  # "at 5", "5 o'clock", "5 baje": afternoon, when people take calls
        hour += 12
    return hour, minute
