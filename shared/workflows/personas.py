"""The AI caller personas: the one list every part of the product checks a persona against."""

from __future__ import annotations

from typing import Literal

PersonaName = Literal["amelia", "rohan", "kai", "anya", "leo", "priya"]

#: In catalogue order. Rohan and Priya are the Indian voices (Priya also speaks Hindi).
PERSONAS: tuple[str, ...] = ("amelia", "rohan", "kai", "anya", "leo", "priya")

#: The persona the offline composer picks when nothing in the prompt says otherwise.
DEFAULT_PERSONA_BY_COUNTRY: dict[str, str] = {"IN": "priya"}
DEFAULT_PERSONA = "amelia"


def is_known_persona(name: str | None) -> bool:
    return name in PERSONAS
