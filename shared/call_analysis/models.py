"""The analysis's answer, field by field: its JSON schema (Claude's tool input schema) and how any analyzer's raw
answer is made to fit it (a value that does not fit its field becomes null, never an error: the call is over and
its analysis is a best reading of it).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.workflows.rule_book import AnalysisField

MAX_TEXT_CHARS = 2000
MAX_LIST_ITEMS = 20
MAX_ITEM_CHARS = 200

_DATETIME_HINT = " As an RFC 3339 moment with its UTC offset, e.g. 2026-05-20T17:00:00+05:30."


def answer_schema(fields: tuple[AnalysisField, ...] | list[AnalysisField]) -> dict[str, Any]:
    """A JSON schema object with one property per field, every one required and nullable (the model says null when
    the call did not tell rather than guessing); no other properties."""
    return {"type": "object", "properties": {field.name: _property(field) for field in fields},
            "required": [field.name for field in fields], "additionalProperties": False}


def _property(field: AnalysisField) -> dict[str, Any]:
    description = field.description
    if field.type == "string_list":
        return {"type": "array", "items": {"type": "string", "maxLength": MAX_ITEM_CHARS},
                "maxItems": MAX_LIST_ITEMS, "description": description}
    if field.type == "datetime":
        return {"type": ["string", "null"], "format": "date-time", "description": description + _DATETIME_HINT}
    if field.type == "string" and field.choices:
        return {"type": ["string", "null"], "enum": [*field.choices, None], "description": description}
    json_type = {"string": "string", "number": "number", "boolean": "boolean"}[field.type]
    return {"type": [json_type, "null"], "description": description}


def conform(fields: tuple[AnalysisField, ...] | list[AnalysisField], raw: dict[str, Any], *,
            timezone: str = "UTC") -> dict[str, Any]:
    """Every field's value of `raw` as its type says, null (a list: empty) when missing or unreadable; other keys
    dropped. A datetime without an offset is read in `timezone`."""
    return {field.name: _conformed(field, raw.get(field.name), timezone) for field in fields}


def _conformed(field: AnalysisField, value: Any, timezone: str) -> Any:
    if field.type == "string_list":
        items = value if isinstance(value, list) else ([value] if isinstance(value, str) else [])
        texts = [" ".join(item.split())[:MAX_ITEM_CHARS] for item in items if isinstance(item, str)]
        return [text for text in texts if text][:MAX_LIST_ITEMS]
    if value is None:
        return None
    if field.type == "string":
        return _text(field, value)
    if field.type == "number":
        return _number(value)
    if field.type == "boolean":
        return _boolean(value)
    return _moment(value, timezone)


def _text(field: AnalysisField, value: Any) -> str | None:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = " ".join(str(value).split())[:MAX_TEXT_CHARS]
    if field.choices:
        return next((choice for choice in field.choices if choice.casefold() == text.casefold()), None)
    return text or None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else round(float(value), 4)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "yes": True, "false": False, "no": False}.get(value.strip().lower())
    return None


def _moment(value: Any, timezone: str) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(timezone))
    if moment.utcoffset() == UTC.utcoffset(None):
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def zone(name: str) -> ZoneInfo:
    """The IANA zone, UTC when the name is unknown (a rule book is validated, a stored one may predate a rule)."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")
