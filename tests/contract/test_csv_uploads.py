"""CSV uploads over HTTP: a cell over the csv module's field limit is the contract's 400 naming row and column."""

from __future__ import annotations

import requests

from tests.contract.helpers import assert_error, sign_up_and_log_in

HUGE = "9" * 140_000  # over csv.field_size_limit()'s default, 131,072
PROMPT = "Remind our gym members about renewals, 10am-7pm, friendly tone, offer up to 10% off, auto-approve 5%."


def test_an_audience_cell_over_the_field_limit_is_a_400_naming_row_and_column(base_url: str,
                                                                               http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url, country="IN")
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT}, headers=owner.auth)
    assert workflow.status_code == 201, workflow.text
    csv_file = f"\ufeffName,Mobile\r\nAsha,+91 98765 43210\r\nRavi,{HUGE}\r\n".encode()

    response = http.post(f"{base_url}/api/workflows/{workflow.json()['id']}/audience", headers=owner.auth,
                         files={"file": ("audience.csv", csv_file, "text/csv")})

    body = assert_error(response, 400, "CSV_CELL_TOO_LONG", field="file")
    assert "Row 3" in body["error"] and 'column "Mobile"' in body["error"]


def test_a_dnc_import_cell_over_the_field_limit_is_a_400_naming_row_and_column(base_url: str,
                                                                                http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url, country="IN")
    csv_file = f"Mobile,Reason\r\n+91 98765 43210,\"{HUGE}\"\r\n".encode()

    response = http.post(f"{base_url}/dnc/import", headers=owner.auth,
                         files={"file": ("dnc.csv", csv_file, "text/csv")})

    body = assert_error(response, 400, "CSV_CELL_TOO_LONG", field="file")
    assert "Row 2" in body["error"] and 'column "Reason"' in body["error"]
