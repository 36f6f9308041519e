"""The web console on the laptop: `console/dist` (built by `make console`) served at `/`, `/index.html` and
`/assets/*`, as CloudFront serves it from S3 in the cloud (infra_cdk/constructs/console_site.py).

Only GET and HEAD of those paths, and only when no API route claims them: the API's routes win, and every other
path stays the API's. The headers are the cloud's: index.html is never cached (it names the current hashed
bundles), hashed assets are cached for a year, and both carry the same security headers (a CSP that allows
this origin only: no CDN or third-party host at runtime).
"""

from __future__ import annotations

import json
from pathlib import Path

from infra_local.http_adapter import HttpResponse

REPO_ROOT = Path(__file__).resolve().parents[1]
CONSOLE_DIST = REPO_ROOT / "console" / "dist"
INDEX = "index.html"
ASSETS_PREFIX = "/assets/"
CONSOLE_METHODS = frozenset({"GET", "HEAD"})

INDEX_CACHE_CONTROL = "no-cache"
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"

#: The Content-Security-Policy of every console response. The cloud adds the media bucket's host to
#: `media-src` (recordings and previews are presigned S3 URLs there); locally media is served by this origin.
CSP_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "media-src": ("'self'",),
    "connect-src": ("'self'",),
    "font-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".map": "application/json",
}


def content_security_policy(extra_media_sources: tuple[str, ...] = ()) -> str:
    directives = {**CSP_DIRECTIVES, "media-src": CSP_DIRECTIVES["media-src"] + extra_media_sources}
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def is_console_request(method: str, path: str) -> bool:
    return method in CONSOLE_METHODS and (path in ("/", "/" + INDEX) or path.startswith(ASSETS_PREFIX))


def console_response(path: str, dist: Path = CONSOLE_DIST) -> HttpResponse:
    """The file for a console path, with the cloud's headers; the contract's 404 JSON for anything else."""
    if path in ("/", "/" + INDEX):
        index = dist / INDEX
        if not index.is_file():
            return _error(404, "The console is not built: run `make console` (or `make run`, which builds it)",
                          "CONSOLE_NOT_BUILT")
        return _file(index, INDEX_CACHE_CONTROL)
    asset = _asset_path(path, dist)
    if asset is None:
        return _error(404, "Not found", "NOT_FOUND")
    return _file(asset, ASSET_CACHE_CONTROL)


def _asset_path(path: str, dist: Path) -> Path | None:
    """The file under dist/assets that the path names, or None: no dot segments, no escaping the folder."""
    name = path[len(ASSETS_PREFIX):]
    parts = name.split("/")
    if not name or any(part in ("", ".", "..") or "\\" in part for part in parts):
        return None
    assets = (dist / "assets").resolve()
    candidate = (assets / name).resolve()
    if assets not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _file(file: Path, cache_control: str) -> HttpResponse:
    content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
    return HttpResponse(200, [("Content-Type", content_type), ("Cache-Control", cache_control),
                              *_security_headers()], file.read_bytes())


def _error(status: int, message: str, code: str) -> HttpResponse:
    body = json.dumps({"error": message, "code": code}).encode("utf-8")
    return HttpResponse(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body)


def _security_headers() -> list[tuple[str, str]]:
    return [("Content-Security-Policy", content_security_policy()), *SECURITY_HEADERS.items()]
