"""Reading uploaded tables (audiences, DNC imports): CSV as spreadsheets export it, or JSON rows.

CSV: a header row; the phone column is found by its name (phone, phone_number, mobile, msisdn,
number, contact, tel, "Phone Number", … — case, spaces, `_`, `-` and `.` ignored); every other column
becomes a per-recipient variable. Spreadsheet quirks handled: a UTF-8 BOM, CRLF, `;` or tab
delimiters (chosen from the header line), blank lines, Windows-1252 files (Excel's "CSV" outside
UTF-8). Variables are capped (`MAX_VARIABLES`, `MAX_VALUE_CHARS`) so one row cannot outgrow a
stored item. `read_csv` streams: the file is decoded and parsed row by row, never held as text or as a
list of rows. A cell over the csv module's field limit (131,072 characters) is a 400 naming its row
and column, not a 500.

A `sandbox_behaviour` column (or key; "Sandbox Behavior" too) names the sandbox callee of its row (issue 13 §6):
it is not a variable but the row's `sandbox_behaviour`, read by `behaviour_named` (case, spaces, `_` and `-`
ignored; empty: the number's last digit decides). A value naming no behaviour refuses the whole upload with a 400
naming its row and column (`INVALID_SANDBOX_BEHAVIOUR`), like an oversized cell, rather than counting the row as
invalid: `rejected_invalid` is about numbers, and a misspelt rehearsal should be fixed, not silently dropped.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from shared.audience.models import AudienceRow
from shared.platform.errors import BadRequest, safe_field_name
from shared.providers.telephony.sandbox_behaviours import UnknownBehaviour, behaviour_named

#: Header names that hold the phone number, best first (compared after `_header_key`).
PHONE_COLUMN_NAMES = ("phonee164", "e164", "phone", "phonenumber", "phoneno", "mobile", "mobilenumber",
                      "mobileno", "msisdn", "number", "contact", "contactnumber", "tel", "telephone",
                      "cell", "cellphone", "whatsapp")
_PHONE_RANK = {name: rank for rank, name in enumerate(PHONE_COLUMN_NAMES)}
#: Header names of the sandbox callee column (compared after `_header_key`).
BEHAVIOUR_COLUMN_NAMES = ("sandboxbehaviour", "sandboxbehavior")
INVALID_BEHAVIOUR_CODE = "INVALID_SANDBOX_BEHAVIOUR"
MAX_VARIABLES = 50
MAX_VALUE_CHARS = 1000
_DELIMITERS = (",", ";", "\t", "|")
_CHUNK_BYTES = 1 << 20


def _header_key(name: str) -> str:
    return "".join(char for char in name.lower() if char not in " _-.\ufeff\"'")


def phone_column(headers: Iterable[str]) -> int | None:
    """Position of the best phone-like header, or None."""
    ranked = [(_PHONE_RANK[key], index) for index, key in enumerate(map(_header_key, headers)) if key in _PHONE_RANK]
    return min(ranked)[1] if ranked else None


def behaviour_column(headers: Iterable[str]) -> int | None:
    """Position of the first `sandbox_behaviour` header, or None."""
    return next((index for index, name in enumerate(headers) if _header_key(name) in BEHAVIOUR_COLUMN_NAMES), None)


def _encoding(source: BinaryIO) -> str:
    """UTF-8 (with or without a BOM) when the whole file decodes as UTF-8, else Windows-1252.

    Checked chunk by chunk (the decoded text is thrown away), so the file is never held decoded."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := source.read(_CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        source.seek(0)


def _text_stream(source: bytes | BinaryIO) -> io.TextIOWrapper:
    """The file as text, decoded as it is read. `newline=""`: the csv module handles CR, LF and CRLF itself."""
    binary = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source  # BytesIO shares the bytes
    return io.TextIOWrapper(binary, encoding=_encoding(binary), errors="replace", newline="")


def _delimiter(header_line: str) -> str:
    return max(_DELIMITERS, key=header_line.count)


def read_csv(source: bytes | BinaryIO) -> Iterator[AudienceRow]:
    """Rows of an uploaded CSV file, one at a time (bytes as received, or a seekable binary file).

    The file is decoded and parsed as the rows are read: neither its text nor its rows are ever all in
    memory at once. The header is read at once, so BadRequest (field `file`) for an empty file or one
    without a recognisable phone column is raised by this call; a cell longer than the csv module's
    field limit (or a file it cannot parse) raises BadRequest naming the row and column while the rows
    are read. Rows are numbered as a spreadsheet does: the header line is row 1.
    Blank lines and rows whose cells are all empty are skipped; a row without a phone keeps
    `phone=None` (counted as invalid by the ingest).
    """
    lines = _text_stream(source)
    header_row = 0
    header_line = None
    for header_line in lines:
        header_row += 1
        if header_line.strip():
            break
    else:
        raise BadRequest("The file is empty", code="EMPTY_UPLOAD", field="file")
    delimiter = _delimiter(header_line)
    try:
        headers = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    except csv.Error as error:
        raise _unreadable(error, header_line, header_row, [], delimiter) from error
    column = phone_column(headers)
    if column is None:
        raise BadRequest(f"No phone column: name one of {', '.join(PHONE_COLUMN_NAMES[2:9])}",
                         code="NO_PHONE_COLUMN", field="file")
    return _rows(source, lines, header_row, headers, column, delimiter)


def parse_csv(source: bytes | BinaryIO) -> list[AudienceRow]:
    """All rows of an uploaded CSV file as a list (small files, tests); large ones: `read_csv`."""
    return list(read_csv(source))


def _rows(source: bytes | BinaryIO, lines: io.TextIOWrapper, header_row: int, headers: list[str], column: int,
          delimiter: str) -> Iterator[AudienceRow]:
    behaviour = behaviour_column(headers)
    others = [(index, name[:64]) for index, name in enumerate(headers)
              if index not in (column, behaviour) and name][:MAX_VARIABLES]
    reader = csv.reader(lines, delimiter=delimiter)
    last_line = 0  # lines the reader had consumed when it returned the previous record
    try:
        for cells in reader:
            row, last_line = header_row + last_line + 1, reader.line_num
            if not any(cells):
                continue
            width = len(cells)
            phone = cells[column].strip() if column < width else ""
            variables = {name: value[:MAX_VALUE_CHARS] for index, name in others
                         if index < width and (value := cells[index].strip())}
            named = cells[behaviour].strip() if behaviour is not None and behaviour < width else ""
            if not phone and not variables and not named:
                continue  # a line of empty cells (",,,") is a blank line
            yield AudienceRow(phone or None, variables,
                              _csv_behaviour(named, row, headers[behaviour]) if named else None)
    except csv.Error as error:
        record = _record_text(source, header_row + last_line, header_row + reader.line_num)
        raise _unreadable(error, record, header_row + last_line + 1, headers, delimiter) from error


def _csv_behaviour(cell: str, row: int, header: str) -> str | None:
    try:
        return behaviour_named(cell)
    except UnknownBehaviour as unknown:
        raise BadRequest(f"Row {row}, column \"{header[:64]}\": {unknown}", code=INVALID_BEHAVIOUR_CODE,
                         field="file") from None


def _record_text(source: bytes | BinaryIO, after_line: int, through_line: int) -> str:
    """Lines `after_line` + 1 … `through_line` of the file (1-based): the record the csv module gave up on."""
    if not isinstance(source, bytes | bytearray):
        source.seek(0)
    return "".join(itertools.islice(_text_stream(source), after_line, through_line))


def _unreadable(error: csv.Error, record: str, row: int, headers: list[str], delimiter: str) -> BadRequest:
    """The 400 for a record the csv module refused, naming its row and (for an oversized cell) its column."""
    limit = csv.field_size_limit()
    index = _oversized_cell(record, delimiter, limit)
    if index is None:
        return BadRequest(f"Row {row} is not valid CSV: {error}", code="INVALID_CSV", field="file")
    name = headers[index] if index < len(headers) and headers[index] else f"#{index + 1}"
    return BadRequest(f"Row {row}, column \"{name}\": a cell is longer than {limit:,} characters",
                      code="CSV_CELL_TOO_LONG", field="file")


def _oversized_cell(record: str, delimiter: str, limit: int) -> int | None:
    """Position of the first cell of `record` longer than `limit` characters, reading quotes as csv does."""
    column = length = 0
    quoted = False
    for char in record:
        if char == '"':
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice: near enough for a count
        elif char == delimiter and not quoted:
            column, length = column + 1, 0
        else:
            length += 1
            if length > limit:
                return column
    return None


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

    The phone is read from the best phone-like key of each row (same names as the CSV header), the
    sandbox callee from a `sandbox_behaviour` key (a value naming none is a 400 on `rows.{i}.{key}`); the
    other keys become variables. A row without a phone keeps `phone=None` (counted as invalid).
    """
    parsed: list[AudienceRow] = []
    for position, row in enumerate(rows):
        names = list(row)
        column = phone_column(names)
        phone_key = names[column] if column is not None else None
        phone = _text(row[phone_key]) if phone_key is not None else None
        behaviour_at = behaviour_column(names)
        behaviour_key = names[behaviour_at] if behaviour_at is not None else None
        variables = {}
        for name in names:
            if name in (phone_key, behaviour_key) or len(variables) >= MAX_VARIABLES:
                continue
            value = _text(row[name])
            if value:
                variables[name[:64]] = value
        behaviour = _json_behaviour(row[behaviour_key], position, behaviour_key) if behaviour_key else None
        parsed.append(AudienceRow(phone or None, variables, behaviour))
    return parsed


def _json_behaviour(value: Any, position: int, key: str) -> str | None:
    field = safe_field_name(f"rows.{position}.{key}")
    try:
        return behaviour_named(_text(value))
    except UnknownBehaviour as unknown:
        raise BadRequest(f"{field}: {unknown}", code=INVALID_BEHAVIOUR_CODE, field=field) from None
