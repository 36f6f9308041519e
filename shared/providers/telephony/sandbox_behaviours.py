"""The names of the sandbox carrier's scripted callees, as an audience's `sandbox_behaviour` column spells them.

Like a payment processor's test cards, a sandbox number's last digit picks its callee; the column picks one by
name instead, so a tenant can rehearse every path with any numbers. The names live here, with the sandbox carrier,
because two domains speak them: the audience upload checks a cell against them and the conversation's scripted
callees act them out (shared/conversation/sandbox_callees.py). A real carrier ignores them.
"""

from __future__ import annotations

BEHAVIOURS = ("convert", "optout", "discount", "callback", "transfer", "voicemail", "busy", "no_answer", "objection",
              "not_interested")
#: Spellings compared without case, spaces, `_` or `-`: "No-Answer", "opt_out" and "not interested" are accepted.
_BY_KEY = {name.replace("_", ""): name for name in BEHAVIOURS}


class UnknownBehaviour(ValueError):
    """A value that names none of `BEHAVIOURS`."""


def _key(text: str) -> str:
    return "".join(char for char in text.lower() if char not in " _-\t")


def behaviour_named(text: str | None) -> str | None:
    """The behaviour a cell names, in its canonical spelling; None for an empty cell (the last digit decides).

    Raises UnknownBehaviour for anything else."""
    if text is None or not (key := _key(text)):
        return None
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownBehaviour(f"{text.strip()[:40]!r} is not a sandbox behaviour; use one of "
                               f"{', '.join(BEHAVIOURS)}") from None
