"""What callees say that the engine must act on, whatever the agent thinks: the one place for these lists.

Matching is on a normalised utterance (lower case, punctuation dropped, single spaces), so "Stop calling me!"
and "stop  calling me" both match.
"""

from __future__ import annotations

import math
import re

OPT_OUT_PHRASES: tuple[str, ...] = (
    "stop calling", "don't call me", "dont call me", "do not call", "remove me", "unsubscribe",
    "take me off your list", "never call me",
    # Hindi / Hinglish (romanised and Devanagari)
    "call mat karo", "mujhe call mat karna", "call mat karna", "phone mat karo", "band karo",
    "कॉल मत करो", "कॉल मत करना", "फोन मत करो", "बंद करो",
)
#: Whole utterances that opt out: the opener's own offer is "just say stop", so a bare "Stop." must count.
OPT_OUT_UTTERANCES: tuple[str, ...] = ("stop", "stop please", "please stop", "stop it")
CALLBACK_PHRASES: tuple[str, ...] = (
    "call me back", "call back", "call me later", "call me tomorrow", "call later", "call tomorrow",
    "baad mein call", "kal call", "baad me call",
)
NOT_INTERESTED_PHRASES: tuple[str, ...] = (
    "not interested", "no thanks", "no thank you", "nahi chahiye", "interest nahi",
)
CONVERT_PHRASES: tuple[str, ...] = (
    "sign me up", "sounds good", "let's do it", "lets do it", "i'll take it", "ill take it", "go ahead",
    "yes please", "count me in", "haan theek hai", "haan ji",
)
#: Asking for a person (a warm transfer): a verb of asking, then who; or a person named outright.
_ASKING = r"(?:speak|talk|connect|put me through|transfer|get me|give me|can i get|can i have|i want|i'd like|id like" \
          r"|let me|may i|baat)"
_WHO = (r"(?:real |live |actual )?(?:person|human|someone|somebody|agent|manager|representative|rep|supervisor"
        r"|operator|colleague|insaan)")
_ASKS_FOR_PERSON = re.compile(rf"\b{_ASKING}\b(?:[\w' ]{{0,30}}?)\b{_WHO}\b|\b(?:real|live|actual) (?:person|human)\b"
                              r"|\bhuman being\b|\b(?:manager|insaan|kisi) se baat\b")
#: Whole utterances that ask for a person ("Agent." said to a phone menu, as people do).
_PERSON_UTTERANCES: tuple[str, ...] = ("agent", "an agent", "representative", "a representative", "operator",
                                       "human", "a human", "person", "a person", "manager", "the manager")
#: "Are you a real person?" asks what the caller is (the agent says it is an AI), not to be transferred.
_ASKS_WHAT_THE_CALLER_IS = re.compile(r"\b(?:are you|is this|is it|am i (?:talking|speaking) (?:to|with)|you re|youre)"
                                      r"\b(?: a| an)?(?: real| actual| live)? (?:person|human|bot|robot|ai)\b")
WHEN_WORDS: tuple[str, ...] = ("day after tomorrow", "tomorrow", "tonight", "next week", "this evening",
                               "later today", "later", "kal", "parson")

_PUNCTUATION = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|per\s?cent\b|pratishat\b|प्रतिशत)", re.IGNORECASE)
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# Speech-to-text often writes numbers out ("fifteen percent"). Not "a hundred percent": in words it is nearly
# always "certainly", not a discount.
_NUMBER_WORDS = rf"(?:(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS[1:10])}))?|{'|'.join(_UNITS)})"
_PERCENT_IN_WORDS = re.compile(rf"\b({_NUMBER_WORDS})\s*(?:%|per\s?cent\b)", re.IGNORECASE)


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


def _says_any(utterance: str, phrases: tuple[str, ...]) -> bool:
    spoken = f" {normalise(utterance)} "
    return any(f" {normalise(phrase)} " in spoken for phrase in phrases)


def is_opt_out(utterance: str) -> bool:
    return normalise(utterance) in OPT_OUT_UTTERANCES or _says_any(utterance, OPT_OUT_PHRASES)


def asks_callback(utterance: str) -> bool:
    return _says_any(utterance, CALLBACK_PHRASES)


def asks_for_person(utterance: str) -> bool:
    """The callee asks to speak to a person ("Can I speak to a real person, please?", "talk to someone", "agent")."""
    spoken = normalise(utterance)
    if spoken in _PERSON_UTTERANCES:
        return True
    if _ASKS_WHAT_THE_CALLER_IS.search(spoken) and not re.search(rf"\b{_ASKING}\b", spoken):
        return False
    return bool(_ASKS_FOR_PERSON.search(spoken))


def is_not_interested(utterance: str) -> bool:
    return _says_any(utterance, NOT_INTERESTED_PHRASES)


def is_converting(utterance: str) -> bool:
    return _says_any(utterance, CONVERT_PHRASES)


def when_text(utterance: str) -> str:
    """The time the callee named for a callback ("tomorrow"), or "later" when they named none."""
    spoken = f" {normalise(utterance)} "
    return next((word for word in WHEN_WORDS if f" {word} " in spoken), "later")


def requested_percent(utterance: str) -> int | None:
    """A discount percent the callee asked for ("can you do 15% off?", "fifteen percent?"), if any (the first)."""
    found = percents(utterance)
    return math.ceil(found[0]) if found else None


def percents(text: str) -> list[float]:
    """Every percent named in `text`, in digits or in words, in order."""
    named = [(match.start(), float(match.group(1))) for match in _PERCENT.finditer(text)]
    named += [(match.start(), float(_words_to_number(match.group(1)))) for match in _PERCENT_IN_WORDS.finditer(text)]
    return [value for _, value in sorted(named)]


def _words_to_number(words: str) -> int:
    return sum(_UNITS.index(part) if part in _UNITS else 10 * (_TENS.index(part) + 2)
               for part in re.split(r"[\s-]+", words.lower().strip()))
