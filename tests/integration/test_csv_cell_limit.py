"""A CSV cell over the csv module's field limit (131,072 characters) is a 400 naming its row and column, for both
CSV uploads (a workflow's audience and /dnc/import), through the API Gateway adapter on moto."""

from __future__ import annotations

import pytest

from shared.audience.uploads import parse_csv
from shared.platform.errors import BadRequest
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration
HUGE = "9" * 140_000  # over csv.field_size_limit()'s default, 131,072
PROMPT = "Remind our gym members about renewals, 10am-7pm, friendly tone, offer up to 10% off, auto-approve 5%."


def _multipart(csv_file: bytes) -> tuple[bytes, dict[str, str]]:
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + csv_file + b"\r\n--XyZ--\r\n")
    return body, {"content-type": "multipart/form-data; boundary=XyZ"}


def _file_with_a_huge_phone_cell() -> bytes:
    return f"Name,Phone\r\nAda,+14155550101\r\n\r\nBo,{HUGE}\r\n".encode()  # the huge cell is on line 4


def test_an_oversized_cell_in_an_audience_upload_is_a_400_naming_row_and_column(api):
    owner = sign_up_and_log_in(api, country="US")
    workflow = api.post("/api/workflows", {"nl_prompt": PROMPT}, token=owner.token)
    assert workflow.status == 201, workflow.body
    body, headers = _multipart(_file_with_a_huge_phone_cell())

    reply = api.request("POST", f"/api/workflows/{workflow.body['id']}/audience", raw_body=body, token=owner.token,
                        headers=headers)

    assert reply.status == 400, reply.body
    assert reply.body["code"] == "CSV_CELL_TOO_LONG" and reply.body["field"] == "file"
    assert "Row 4" in reply.body["error"] and 'column "Phone"' in reply.body["error"]
    assert api.get(f"/api/workflows/{workflow.body['id']}", token=owner.token).body["audience_count"] == 0


def test_an_oversized_cell_in_a_dnc_import_is_a_400_naming_row_and_column(api):
    owner = sign_up_and_log_in(api, country="US")
    csv_file = f"Phone;Reason\r\n(415) 555-0101;complained\r\n(415) 555-0102;\"{HUGE}\"\r\n".encode()
    body, headers = _multipart(csv_file)

    reply = api.post("/dnc/import", raw_body=body, token=owner.token, headers=headers)

    assert reply.status == 400, reply.body
    assert reply.body["code"] == "CSV_CELL_TOO_LONG" and reply.body["field"] == "file"
    assert "Row 3" in reply.body["error"] and 'column "Reason"' in reply.body["error"]
    assert api.get("/dnc", token=owner.token).body["total"] == 0  # nothing of the file was imported


def test_an_oversized_header_cell_is_a_400_on_row_1():
    with pytest.raises(BadRequest) as refused:
        parse_csv(f"Phone,{HUGE}\n+14155550101,x\n".encode())

    assert refused.value.code == "CSV_CELL_TOO_LONG" and "Row 1" in str(refused.value)


def test_a_cell_just_under_the_limit_is_read():
    rows = parse_csv(f"Phone,Note\n+14155550101,{'x' * 131_000}\n".encode())

    assert rows[0].phone == "+14155550101" and len(rows[0].variables["Note"]) == 1000  # capped as a variable
