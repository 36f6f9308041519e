"""The laptop serves the console's build at `/`, `/index.html` and `/assets/*` (infra_local/console_assets.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra_local.console_assets import (
    ASSET_CACHE_CONTROL,
    INDEX_CACHE_CONTROL,
    console_response,
    content_security_policy,
    is_console_request,
)
from infra_local.http_adapter import DEFAULT_ROUTE_KEY, match_route


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside assets")
    return tmp_path


def headers_of(response) -> dict[str, str]:
    return dict(response.headers)


def test_root_and_index_serve_the_page_uncached_with_the_security_headers(dist: Path) -> None:
    for path in ("/", "/index.html"):
        response = console_response(path, dist)
        headers = headers_of(response)
        assert response.status == 200
        assert response.body.startswith(b"<!doctype html>")
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == INDEX_CACHE_CONTROL
        assert headers["Content-Security-Policy"] == content_security_policy()
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_hashed_assets_are_cached_for_a_year(dist: Path) -> None:
    response = console_response("/assets/index-abc123.js", dist)
    assert response.status == 200
    assert headers_of(response)["Cache-Control"] == ASSET_CACHE_CONTROL
    assert headers_of(response)["Content-Type"] == "text/javascript; charset=utf-8"


@pytest.mark.parametrize("path", ["/assets/../secret.txt", "/assets/%2e%2e/secret.txt", "/assets/", "/assets//x",
                                  "/assets/missing.js", "/assets/./index-abc123.js"])
def test_nothing_outside_the_built_assets_is_served(dist: Path, path: str) -> None:
    response = console_response(path, dist)
    assert response.status == 404
    assert json.loads(response.body)["code"] == "NOT_FOUND"


def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    response = console_response("/", tmp_path / "no-dist")
    assert response.status == 404
    body = json.loads(response.body)
    assert body["code"] == "CONSOLE_NOT_BUILT"
    assert "make console" in body["error"]


def test_the_csp_allows_this_origin_only() -> None:
    policy = content_security_policy()
    assert "http" not in policy  # no host at all, let alone a CDN
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "media-src 'self' https://media.example" in content_security_policy(("https://media.example",))


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/", True), ("HEAD", "/index.html", True), ("GET", "/assets/index-abc123.js", True),
    ("POST", "/", False), ("GET", "/healthz", False), ("GET", "/api/workflows", False),
    ("GET", "/assetsx", False), ("GET", "/index.htm", False),
])
def test_only_reads_of_the_console_paths_are_the_consoles(method: str, path: str, expected: bool) -> None:
    assert is_console_request(method, path) is expected


@pytest.mark.parametrize("path", ["/", "/index.html", "/assets/index-abc123.js"])
def test_no_api_route_claims_a_console_path(path: str) -> None:
    """The server gives these paths to the console only when the API has no route for them."""
    match = match_route("GET", path)
    assert match is None or match.route_key == DEFAULT_ROUTE_KEY
