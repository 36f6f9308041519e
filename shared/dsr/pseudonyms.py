"""What stands in for an erased contact (DSR erase), and the spellings of its identifiers.

The keyed hash itself (HMAC-SHA256 under the deployment's pepper, `contact_hash`) and the `erased:` prefix are the
platform's (`shared.platform.pseudonyms`): the compliance repository matches erased numbers with them, and the
voice plane's end-of-call write recognises an erased call, without importing this domain. They are re-exported
here for the DSR code.
"""

from __future__ import annotations

from shared.platform.pseudonyms import PSEUDONYM_PREFIX, contact_hash, reset_pepper

__all__ = ["PSEUDONYM_PREFIX", "contact_hash", "mentions", "phone_pseudonym", "phone_spellings", "reset_pepper"]


def phone_pseudonym(e164: str) -> str:
    """What replaces an erased number in rows that must stay (DNC audit, calls, approvals)."""
    return f"{PSEUDONYM_PREFIX}{contact_hash('phone', e164)}"


def phone_spellings(e164: str) -> tuple[str, ...]:
    """The ways a number shows up in free text: +14155550123, 14155550123, 4155550123 (last 10 digits)."""
    digits = e164.lstrip("+")
    return tuple(dict.fromkeys(spelling for spelling in (e164, digits, digits[-10:]) if len(spelling) >= 7))


def mentions(text: str, needles: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(needle.lower() in lowered for needle in needles)
