"""Request field types shared by the routes: what a well-formed email, name or timestamp looks like.

Each type's JSON schema (and so the OpenAPI document) states exactly what its validator accepts: a client
generated from the document never sends a value the server refuses for its shape.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints
from pydantic_core import core_schema

# No whitespace or control characters (C0, DEL or C1) on either side of a single @, and a dot in the domain.
# C1 is spelled out: U+0085 is whitespace to Python's `\s` but not to the document's (ECMA-262) `\s`.
_EMAIL_PART = r"[^@\s\x00-\x1f\x7f-\x9f]+"
EMAIL_PATTERN = rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$"
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254,
                                         pattern=EMAIL_PATTERN)]

#: No C0 control character nor DEL, as a JSON-schema pattern.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"


def _printable(text: str | None) -> str | None:
    if text is not None and any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise ValueError("must not contain control characters")
    return text


class _Printable:
    """Refuses control characters with a readable message, and says so in the schema (`pattern`)."""

    def __init__(self, pattern: str = NO_CONTROL_CHARACTERS) -> None:
        self.pattern = pattern

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_printable, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: Any) -> dict[str, Any]:
        json_schema = handler(schema)
        resolved = handler.resolve_ref_schema(json_schema)
        for branch in resolved.get("anyOf", [resolved]):  # `str | None`: the string branch
            if branch.get("type") == "string":
                branch.setdefault("pattern", self.pattern)
        return json_schema


#: Free text a person typed (names, reasons): no control characters.
PrintableText = _Printable()
#: A name the service also refuses when blank: the schema adds "one character that is not whitespace"
#: (C1 spelled out, as in the email pattern).
PrintableName = _Printable(r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f]*$")


def timestamp_text_only(value: Any) -> Any:
    """Timestamps arrive as RFC 3339 text; a bare number is not silently read as epoch seconds."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-12-31T00:00:00Z")
    return value
