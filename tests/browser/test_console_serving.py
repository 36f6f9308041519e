"""The local stack serves the console at `/` with the cloud's headers, and the API keeps every other path."""

from __future__ import annotations

import re

from tests.browser.conftest import Console


def test_the_console_page_and_its_assets_are_served_with_a_same_origin_csp(base_url: str, http) -> None:
    page = http.get(f"{base_url}/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    (script,) = re.findall(r'src="(/assets/[^"]+\.js)"', page.text)
    asset = http.get(f"{base_url}{script}")
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert http.get(f"{base_url}/index.html").text == page.text


def test_every_other_path_stays_the_apis(base_url: str, http) -> None:
    assert http.get(f"{base_url}/healthz").json()["status"]
    missing = http.get(f"{base_url}/no-such-page")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert http.post(f"{base_url}/", json={}).headers["Content-Type"] == "application/json"


def test_the_console_starts_in_chromium_without_errors(console: Console) -> None:
    console.open("/")
    console.page.get_by_role("heading", level=1).wait_for()
    console.check("start")
