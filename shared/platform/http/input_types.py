"""Request field types shared by the routes: what a well-formed email, name or timestamp looks like."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

# No whitespace or control characters on either side of a single @, and a dot in the domain.
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254,
                                         pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")]


def _printable(text: str | None) -> str | None:
    if text is not None and any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise ValueError("must not contain control characters")
    return text


#: Free text a person typed (names, reasons): no control characters.
PrintableText = AfterValidator(_printable)


def timestamp_text_only(value: Any) -> Any:
    """Timestamps arrive as RFC 3339 text; a bare number is not silently read as epoch seconds."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-12-31T00:00:00Z")
    return value
