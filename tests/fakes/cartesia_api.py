"""A local fake of Cartesia's `POST /tts/bytes`, over real HTTP.

It answers with a real MP3 (written by the sandbox encoder, so frame parsing is exercised) or with the
status scripted by `answer_status`. Every request is recorded: headers and parsed JSON body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from shared.providers.tts.sandbox import SandboxTextToSpeech
from tests.fakes.local_server import LocalHttpFake, QuietHandler


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeCartesiaApi(LocalHttpFake):
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.status = 200
        self.raw_answer: bytes | None = None  # overrides the MP3 (e.g. to send something that is not audio)
        self.last_mp3: bytes = b""
        super().__init__()

    def answer_status(self, status: int) -> None:
        self.status = status

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.read_body() or b"{}")
                fake.requests.append(RecordedRequest(self.path, self.lower_headers(), body))
                if fake.status != 200:
                    self.send_json(fake.status, {"error": "fake"})
                    return
                if fake.raw_answer is not None:
                    self.send_bytes(200, fake.raw_answer, "audio/mpeg")
                    return
                fake.last_mp3 = SandboxTextToSpeech().synthesize(body.get("transcript", ""), "fake").mp3
                self.send_bytes(200, fake.last_mp3, "audio/mpeg")

        return Handler
