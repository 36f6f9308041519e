"""Live validation of a provider credential: one cheap authenticated GET against the provider's real API.

The outcome is a verdict, never an exception: unreachable or slow providers give `validated=False` with
the reason, and the credential stays saved. Redirects are not followed (a redirect would carry the
credential's Authorization header to another host). Error texts never contain the secret.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from dataclasses import dataclass

TIMEOUT_SECONDS = 5.0
REJECTED = "rejected by provider"

#: Where each provider's API lives; tests point these at a local fake (`tests/fakes/provider_validation.py`).
#: Exotel's host is the tenant's region host (validated against a fixed pattern), hence the placeholder.
BASE_URLS: dict[str, str] = {
    "anthropic": "https://api.anthropic.com",
    "twilio": "https://api.twilio.com",
    "exotel": "https://{subdomain}",
    "cartesia": "https://api.cartesia.ai",
    "deepgram": "https://api.deepgram.com",
}


@dataclass(frozen=True)
class Verdict:
    validated: bool
    error: str | None = None


@dataclass(frozen=True)
class Probe:
    url: str
    headers: dict[str, str]


def validate(provider: str, primary_id: str | None, secret: str, extra: dict[str, str]) -> Verdict:
    probe = _probe(provider, primary_id, secret, extra)
    request = urllib.request.Request(probe.url, headers={"Accept": "application/json", **probe.headers})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(65536)
            return Verdict(validated=True)
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            return Verdict(validated=False, error=REJECTED)
        return Verdict(validated=False, error=f"provider answered HTTP {error.code}")
    except TimeoutError:
        return Verdict(validated=False, error=f"provider did not answer within {TIMEOUT_SECONDS:g} s")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            return Verdict(validated=False, error=f"provider did not answer within {TIMEOUT_SECONDS:g} s")
        return Verdict(validated=False, error=f"provider unreachable: {type(reason).__name__}")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _base_url(provider: str) -> str:
    """The provider's API, or — on the sandbox stack, when configured — a local stand-in for all five."""
    from shared.platform.settings import get_settings

    sandbox = get_settings().provider_validation_base_url
    return f"{sandbox.rstrip('/')}/{provider}" if sandbox else BASE_URLS[provider].rstrip("/")


def _probe(provider: str, primary_id: str | None, secret: str, extra: dict[str, str]) -> Probe:
    base = _base_url(provider)
    if provider == "anthropic":
        return Probe(f"{base}/v1/models", {"x-api-key": secret, "anthropic-version": "2023-06-01"})
    if provider == "twilio":
        return Probe(f"{base}/2010-04-01/Accounts/{primary_id}.json",
                     {"Authorization": _basic(primary_id or "", secret)})
    if provider == "exotel":
        host = extra.get("subdomain", "").lstrip("@")
        return Probe(f"{base.format(subdomain=host)}/v1/Accounts/{extra.get('account_sid', '')}",
                     {"Authorization": _basic(primary_id or "", secret)})
    if provider == "cartesia":
        return Probe(f"{base}/voices", {"X-API-Key": secret, "Cartesia-Version": "2024-06-10"})
    if provider == "deepgram":
        return Probe(f"{base}/v1/projects", {"Authorization": f"Token {secret}"})
    raise KeyError(provider)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx then surfaces as an HTTPError ("provider answered HTTP 302")


_OPENER = urllib.request.build_opener(_NoRedirects())
