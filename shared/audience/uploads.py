"""Reading uploaded tables (audiences, DNC imports): CSV as spreadsheets export it, or JSON rows.

CSV: a header row; the phone column is found by its name (phone, phone_number, mobile, msisdn,
number, contact, tel, "Phone Number", … — case, spaces, `_`, `-` and `.` ignored); every other column
becomes a per-recipient variable. Spreadsheet quirks handled: a UTF-8 BOM, CRLF, `;` or tab
delimiters (chosen from the header line), blank lines, Windows-1252 files (Excel's "CSV" outside
UTF-8). Variables are capped (`MAX_VARIABLES`, `MAX_VALUE_CHARS`) so one row cannot outgrow a
stored item.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from shared.audience.models import AudienceRow
from shared.platform.errors import BadRequest

#: Header names that hold the phone number, best first (compared after `_header_key`).
PHONE_COLUMN_NAMES = ("phonee164", "e164", "phone", "phonenumber", "phoneno", "mobile", "mobilenumber",
                      "mobileno", "msisdn", "number", "contact", "contactnumber", "tel", "telephone",
                      "cell", "cellphone", "whatsapp")
_PHONE_RANK = {name: rank for rank, name in enumerate(PHONE_COLUMN_NAMES)}
MAX_VARIABLES = 50
MAX_VALUE_CHARS = 1000
_DELIMITERS = (",", ";", "\t", "|")


def _header_key(name: str) -> str:
    return "".join(char for char in name.lower() if char not in " _-.\ufeff\"'")


def phone_column(headers: Iterable[str]) -> int | None:
    """Position of the best phone-like header, or None."""
    ranked = [(_PHONE_RANK[key], index) for index, key in enumerate(map(_header_key, headers)) if key in _PHONE_RANK]
    return min(ranked)[1] if ranked else None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header_line: str) -> str:
    return max(_DELIMITERS, key=header_line.count)


def parse_csv(data: bytes) -> list[AudienceRow]:
    """Rows of an uploaded CSV file (bytes as received, ≤ the API's body limit).

    Raises BadRequest (field `file`) when the file is empty or has no recognisable phone column.
    Blank lines and rows whose cells are all empty are skipped; a row without a phone keeps
    `phone=None` (counted as invalid by the ingest).
    """
    text = _decode(data)
    lines = io.StringIO(text, newline="")
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise BadRequest("The file is empty", code="EMPTY_UPLOAD", field="file")
    delimiter = _delimiter(header_line)
    headers = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    column = phone_column(headers)
    if column is None:
        raise BadRequest(f"No phone column: name one of {', '.join(PHONE_COLUMN_NAMES[2:9])}",
                         code="NO_PHONE_COLUMN", field="file")
    others = [(index, name[:64]) for index, name in enumerate(headers) if index != column and name][:MAX_VARIABLES]
    rows: list[AudienceRow] = []
    append = rows.append
    for cells in csv.reader(lines, delimiter=delimiter):
        if not any(cells):
            continue
        width = len(cells)
        phone = cells[column].strip() if column < width else ""
        variables = {name: cells[index].strip()[:MAX_VALUE_CHARS] for index, name in others
                     if index < width and cells[index].strip()}
        if not phone and not variables:
            continue  # a line of empty cells (",,,") is a blank line
        append(AudienceRow(phone or None, variables))
    return rows


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()[:MAX_VALUE_CHARS]
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)[:MAX_VALUE_CHARS]


def parse_json_rows(rows: Iterable[Mapping[str, Any]]) -> list[AudienceRow]:
    """Rows posted as JSON, e.g. `[{"phone": "+91…", "name": "Asha", "plan": "gold"}, …]`.

    The phone is read from the best phone-like key of each row (same names as the CSV header); the
    other keys become variables. A row without one keeps `phone=None` (counted as invalid).
    """
    parsed: list[AudienceRow] = []
    for row in rows:
        names = list(row)
        column = phone_column(names)
        phone_key = names[column] if column is not None else None
        phone = _text(row[phone_key]) if phone_key is not None else None
        variables = {}
        for name in names:
            if name == phone_key or len(variables) >= MAX_VARIABLES:
                continue
            value = _text(row[name])
            if value:
                variables[name[:64]] = value
        parsed.append(AudienceRow(phone or None, variables))
    return parsed
