"""Reading uploads: the phone column by name, variables, and spreadsheet quirks."""

import pytest

from shared.audience.models import AudienceRow
from shared.audience.uploads import parse_csv, parse_json_rows, phone_column, read_csv
from shared.platform.errors import BadRequest


@pytest.mark.parametrize("header", ["phone", "Phone Number", "PHONE_NUMBER", "mobile", "msisdn", "Number",
                                    "contact", "tel", " Mobile No. "])
def test_the_phone_column_is_found_by_common_names(header: str) -> None:
    assert phone_column(["name", header, "city"]) == 1


def test_the_best_phone_name_wins_over_a_vaguer_one() -> None:
    assert phone_column(["contact", "name", "mobile"]) == 2


def test_an_excel_export_with_bom_crlf_and_blank_lines_is_read() -> None:
    data = "\ufeffName,Mobile,City\r\nAsha,+91 98765 43210,Pune\r\n\r\n,,\r\nRavi,,Delhi\r\n".encode()

    rows = parse_csv(data)

    assert rows == [AudienceRow("+91 98765 43210", {"Name": "Asha", "City": "Pune"}),
                    AudienceRow(None, {"Name": "Ravi", "City": "Delhi"})]


def test_semicolon_delimited_files_are_read() -> None:
    assert parse_csv(b"phone;name\n9876543210;A\n") == [AudienceRow("9876543210", {"name": "A"})]


def test_windows_1252_files_are_read() -> None:
    assert parse_csv("phone,name\n9876543210,José\n".encode("cp1252"))[0].variables == {"name": "José"}


def test_a_file_without_a_phone_column_is_refused_on_file() -> None:
    with pytest.raises(BadRequest) as refused:
        parse_csv(b"name,city\nAsha,Pune\n")

    assert (refused.value.code, refused.value.field) == ("NO_PHONE_COLUMN", "file")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(BadRequest):
        parse_csv(b"\r\n\r\n")


def test_json_rows_keep_other_keys_as_text_variables() -> None:
    rows = parse_json_rows([{"phone": 9876543210, "name": "Asha", "vip": True}, {"name": "no phone"}])

    assert rows == [AudienceRow("9876543210", {"name": "Asha", "vip": "true"}), AudienceRow(None, {"name": "no phone"})]


def test_read_csv_streams_rows_one_at_a_time_and_refuses_an_oversized_cell_when_it_reaches_it() -> None:
    data = f"Name,Mobile\r\nAsha,+91 98765 43210\r\nRavi,{'9' * 140_000}\r\n".encode()

    rows = read_csv(data)  # the header is read now; the rows as they are asked for
    first = next(rows)
    with pytest.raises(BadRequest) as refused:
        next(rows)

    assert first == AudienceRow("+91 98765 43210", {"Name": "Asha"})
    assert (refused.value.code, refused.value.field) == ("CSV_CELL_TOO_LONG", "file")
    assert str(refused.value) == 'Row 3, column "Mobile": a cell is longer than 131,072 characters'


def test_read_csv_reads_an_open_binary_file_in_windows_1252_too(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("Téléphone;Nom;Mobile\r\nx;José;98765 43210\r\n".encode("cp1252"))

    with path.open("rb") as upload:
        rows = list(read_csv(upload))

    assert rows == [AudienceRow("98765 43210", {"Téléphone": "x", "Nom": "José"})]


def test_a_quoted_cell_spanning_lines_counts_from_the_line_its_record_starts_on() -> None:
    data = f'phone,note\n1,"a\nb"\n2,"{"x" * 140_000}\n"\n'.encode()

    with pytest.raises(BadRequest) as refused:
        parse_csv(data)

    assert str(refused.value).startswith('Row 4, column "note"')


def test_a_sandbox_behaviour_column_names_each_rows_callee_and_is_not_a_variable() -> None:
    data = b"phone,name,Sandbox Behaviour\n+14155550101,Ann, No-Answer \n+14155550102,Bo,\n+14155550103,Cy,OPT_OUT\n"

    rows = parse_csv(data)

    assert rows == [AudienceRow("+14155550101", {"name": "Ann"}, "no_answer"),
                    AudienceRow("+14155550102", {"name": "Bo"}), AudienceRow("+14155550103", {"name": "Cy"}, "optout")]


def test_the_american_spelling_of_the_column_is_read_too() -> None:
    assert parse_csv(b"sandbox_behavior;phone\nconvert;9876543210\n") == [AudienceRow("9876543210", {}, "convert")]


def test_an_unknown_sandbox_behaviour_in_a_csv_is_a_400_naming_its_row_and_column() -> None:
    data = b"phone,sandbox_behaviour\n+14155550101,convert\n\n+14155550102,\"convrt\"\n"
    rows = read_csv(data)

    assert next(rows).sandbox_behaviour == "convert"
    with pytest.raises(BadRequest) as refused:
        next(rows)

    assert (refused.value.code, refused.value.field) == ("INVALID_SANDBOX_BEHAVIOUR", "file")
    assert refused.value.message.startswith('Row 4, column "sandbox_behaviour": \'convrt\' is not a sandbox behaviour')
    assert "convert, optout, discount, callback, transfer" in refused.value.message


def test_json_rows_name_their_sandbox_behaviour_and_an_unknown_one_is_a_400_on_its_row() -> None:
    rows = parse_json_rows([{"phone": "+14155550101", "sandbox_behaviour": "Not Interested"},
                            {"phone": "+14155550102"}])

    assert rows == [AudienceRow("+14155550101", {}, "not_interested"), AudienceRow("+14155550102", {})]
    with pytest.raises(BadRequest) as refused:
        parse_json_rows([{"phone": "+14155550101"}, {"phone": "+14155550102", "sandbox_behaviour": 8}])
    assert (refused.value.code, refused.value.field) == ("INVALID_SANDBOX_BEHAVIOUR", "rows.1.sandbox_behaviour")
