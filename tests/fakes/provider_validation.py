"""A local fake of the five providers' "who am I" endpoints, over real HTTP, for live credential validation.

One server answers every probe of `shared.onboarding.validation` (Anthropic `GET /v1/models`, Twilio
`GET /2010-04-01/Accounts/{sid}.json`, Exotel `GET /v1/Accounts/{sid}`, Cartesia `GET /voices`, Deepgram
`GET /v1/projects`) and accepts a request when the secret it carries is in `accepted_secrets`; otherwise
401. `answer_status` forces a status, `delay_seconds` makes it slow. Every request is recorded.

    with FakeProviderApis() as fake:
        fake.point_validation_here(monkeypatch)
        fake.accepted_secrets.add("sk-ant-good")
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import LocalHttpFake, QuietHandler

PROBE_PATHS = ("/v1/models", "/2010-04-01/Accounts/", "/v1/Accounts/", "/voices", "/v1/projects")


@dataclass
class RecordedProbe:
    path: str
    headers: dict[str, str]


class FakeProviderApis(LocalHttpFake):
    def __init__(self) -> None:
        self.accepted_secrets: set[str] = set()
        self.probes: list[RecordedProbe] = []
        self.forced_status: int | None = None
        self.delay_seconds = 0.0
        super().__init__()

    def point_validation_here(self, monkeypatch: Any) -> None:
        """Send every provider's validation probe to this fake for the rest of the test."""
        from shared.onboarding import validation

        for provider in validation.BASE_URLS:
            monkeypatch.setitem(validation.BASE_URLS, provider, self.base_url)

    def answer_status(self, status: int) -> None:
        self.forced_status = status

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                headers = self.lower_headers()
                fake.probes.append(RecordedProbe(self.path, headers))
                if fake.delay_seconds:
                    time.sleep(fake.delay_seconds)
                if not self.path.startswith(PROBE_PATHS):
                    self._send(404)
                elif fake.forced_status is not None:
                    self._send(fake.forced_status)
                else:
                    self._send(200 if _secret_of(headers) in fake.accepted_secrets else 401)

            def _send(self, status: int) -> None:
                data = b'{"data": []}' if status == 200 else b'{"error": "fake"}'
                # a redirect goes to this same fake: following it would show up in probes
                redirect = {"location": f"{fake.base_url}/v1/models"} if 300 <= status < 400 else None
                self.send_bytes(status, data, extra_headers=redirect)

        return Handler


def _secret_of(headers: dict[str, str]) -> str | None:
    """The secret a probe presents, however its provider carries it."""
    if "x-api-key" in headers:
        return headers["x-api-key"]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme == "Token":
        return value
    if scheme == "Basic":
        return base64.b64decode(value).decode().partition(":")[2]
    return None
