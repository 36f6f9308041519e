"""`/_sandbox/providers/<provider>/…`: a local stand-in for the five providers' key-check endpoints.

When `PROVIDER_VALIDATION_BASE_URL` points here (the contract tests do that; `make run` validates real
keys against the real providers unless `SANDBOX_PROVIDER_VALIDATION=true`), saving a BYOK credential
is checked by this route: any key containing "invalid" or "revoked" is refused with 401, every other
key is accepted. Local only: not a catalog route, never deployed.
"""

from __future__ import annotations

import base64
import contextlib

from infra_local.http_adapter import HttpResponse, json_response

PROVIDERS_PATH = "/_sandbox/providers/"
KNOWN = ("anthropic", "twilio", "exotel", "cartesia", "deepgram")
REFUSED_MARKERS = ("invalid", "revoked")


def provider_check_response(path: str, headers: dict[str, str]) -> HttpResponse:
    provider = path[len(PROVIDERS_PATH):].split("/", 1)[0]
    if provider not in KNOWN:
        return json_response(404, {"error": f"No sandbox for provider '{provider}'", "code": "NOT_FOUND"})
    credential = " ".join(_credentials_in(headers)).lower()
    if not credential or any(marker in credential for marker in REFUSED_MARKERS):
        return json_response(401, {"error": "invalid credentials", "code": "UNAUTHORIZED"})
    return json_response(200, {"ok": True, "provider": provider, "sandbox": True})


def _credentials_in(headers: dict[str, str]) -> list[str]:
    found = [headers.get(name, "") for name in ("x-api-key", "authorization")]
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        with contextlib.suppress(ValueError):
            found.append(base64.b64decode(authorization[6:]).decode("utf-8", "replace"))
    return [value for value in found if value]
