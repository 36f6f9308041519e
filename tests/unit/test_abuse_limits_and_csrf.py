"""The pure parts of the abuse limits (lockout arithmetic) and of CSRF (origins, the session-bound token)."""

from __future__ import annotations

import pytest

from shared.auth.abuse_limits import lockout_seconds
from shared.auth.csrf import RequestProvenance, csrf_token, ensure_same_origin_write, origin_of
from shared.platform.errors import Forbidden
from shared.platform.settings import reset_settings


@pytest.mark.parametrize(("failures", "expected"), [(0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (9, 480),
                                                    (10, 900), (40, 900), (10**6, 900)])
def test_the_lockout_starts_at_the_allowed_failures_and_doubles_up_to_the_window(failures, expected):
    assert lockout_seconds(failures, allowed=5, base_seconds=30, window_seconds=900) == expected


@pytest.mark.parametrize(("url", "origin"), [
    ("https://App.Example.com", "https://app.example.com"),
    ("https://app.example.com:443/path?q=1", "https://app.example.com"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
    ("http://localhost:80", "http://localhost"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("null", None), ("", None), ("ftp://example.com", None), ("https://", None), ("http://host:99999", None),
])
def test_an_origin_is_scheme_host_and_a_non_default_port(url, origin):
    assert origin_of(url) == origin


@pytest.fixture
def stack(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://api.callfunnel.example")
    monkeypatch.setenv("JWT_SECRET", "unit-test-secret-long-enough-for-hs256-signing")
    from shared.auth import tokens

    reset_settings()
    tokens.reset_signing_key()
    yield
    monkeypatch.undo()
    reset_settings()
    tokens.reset_signing_key()


def _request(method="POST", origin="https://api.callfunnel.example", sec_fetch_site=None, token=None, cookie=None):
    return RequestProvenance(method, origin, sec_fetch_site, token, cookie)


def test_the_token_is_bound_to_the_session(stack):
    assert csrf_token("jti_one") == csrf_token("jti_one") != csrf_token("jti_two")


def test_a_same_origin_write_with_the_sessions_token_passes(stack):
    token = csrf_token("jti_one")
    ensure_same_origin_write(_request(token=token, cookie=token), "jti_one")


@pytest.mark.parametrize("request_", [
    _request(origin="https://evil.example"),
    _request(origin="null"),
    _request(origin="https://api.callfunnel.example.evil.example"),
    _request(origin="http://api.callfunnel.example"),  # another scheme is another origin
    _request(origin=None, sec_fetch_site="cross-site"),
    _request(origin=None, sec_fetch_site=None),
])
def test_a_write_from_elsewhere_is_refused_whatever_token_it_has(stack, request_):
    token = csrf_token("jti_one")
    forged = RequestProvenance(request_.method, request_.origin, request_.sec_fetch_site, token, token)
    with pytest.raises(Forbidden) as refused:
        ensure_same_origin_write(forged, "jti_one")
    assert refused.value.code == "CSRF_REJECTED"


@pytest.mark.parametrize(("header", "cookie"), [(None, None), ("x", "x"), ("right", None), (None, "right"),
                                                ("right", "wrong")])
def test_a_same_origin_write_needs_the_token_in_both_places(stack, header, cookie):
    right = csrf_token("jti_one")
    provenance = _request(token=right if header == "right" else header, cookie=right if cookie == "right" else cookie)
    with pytest.raises(Forbidden):
        ensure_same_origin_write(provenance, "jti_one")


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_are_never_checked(stack, method):
    ensure_same_origin_write(_request(method=method, origin="https://evil.example"), "jti_one")


def test_every_function_with_a_per_ip_limit_may_write_the_table():
    # A limit counts in the table: without the grant, the cloud would answer its routes with AccessDenied
    import importlib

    from functions.catalog import FUNCTIONS, Permission
    from shared.auth.abuse_limits import limit_previews_per_source_ip, limit_signups_per_source_ip

    limited = []
    for spec in [spec for spec in FUNCTIONS if spec.routes]:
        app = importlib.import_module(spec.module).app
        for route in [*app._static_routes, *app._dynamic_routes]:
            if {limit_previews_per_source_ip, limit_signups_per_source_ip} & set(route.middlewares or []):
                limited.append(spec.name)
                assert Permission.TABLE_WRITE in spec.permissions, f"{spec.name} limits {route.path} per IP"
    assert sorted(set(limited)) == ["auth", "voice"]
