"""Weekly report over HTTP: GET /api/reports/weekly downloads a PDF; bad ranges are the contract's 400 JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import requests

from tests.contract.helpers import Account, assert_error, mint_key, sign_up_and_log_in


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url, country="US")


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())


def test_the_report_downloads_as_a_pdf_showing_the_trial_credit(base_url: str, http: requests.Session,
                                                                 owner: Account) -> None:
    # 31 days around today: the stack's sandbox clock may have been moved a few hours by another test
    first, last = datetime.now(UTC).date() - timedelta(days=15), datetime.now(UTC).date() + timedelta(days=15)

    response = http.get(f"{base_url}/api/reports/weekly", headers=owner.auth, params={"from": first, "to": last})

    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=callfunnel-weekly-{first}-{last}.pdf")
    text = _text(response.content)
    assert f"Range: {first} to {last}" in text
    assert "Trial credit 1 USD 5.00" in text and "Appendix: calls (0)" in text


def test_a_read_key_may_download_the_report(base_url: str, http: requests.Session, owner: Account) -> None:
    key = mint_key(http, base_url, owner, name="reader", scope="read")["secret"]

    response = http.get(f"{base_url}/reports/weekly", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-05-25", "to": "2026-05-24"}, "from"), ({"from": "2026-05-01", "to": "2026-06-01"}, "to"),
    ({"from": "not-a-date"}, "from"), ({"from": "9999-12-25", "to": "9999-12-31"}, "to"),
    ({"from": "0001-01-01", "to": "0001-01-07"}, "from"), ({"to": "0001-01-01T00:00:00+01:00"}, "to")])
def test_a_bad_range_is_a_400_json_error(base_url: str, http: requests.Session, owner: Account, params: dict,
                                         field: str) -> None:
    response = http.get(f"{base_url}/api/reports/weekly", headers=owner.auth, params=params)

    assert_error(response, 400, "VALIDATION_ERROR", field)


def test_without_credentials_the_report_is_a_401(base_url: str, http: requests.Session) -> None:
    assert_error(http.get(f"{base_url}/api/reports/weekly"), 401)
