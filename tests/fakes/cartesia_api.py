"""A local fake of Cartesia's `POST /tts/bytes`, over real HTTP.

It answers with a real MP3 (written by the sandbox encoder, so frame parsing is exercised) or with the
status scripted by `answer_status`. Every request is recorded: headers and parsed JSON body.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from shared.providers.tts.sandbox import SandboxTextToSpeech


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeCartesiaApi:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.status = 200
        self.raw_answer: bytes | None = None  # overrides the MP3 (e.g. to send something that is not audio)
        self.last_mp3: bytes = b""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeCartesiaApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_status(self, status: int) -> None:
        self.status = status

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                fake.requests.append(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if fake.status != 200:
                    self._send(fake.status, "application/json", json.dumps({"error": "fake"}).encode())
                    return
                if fake.raw_answer is not None:
                    self._send(200, "audio/mpeg", fake.raw_answer)
                    return
                fake.last_mp3 = SandboxTextToSpeech().synthesize(body.get("transcript", ""), "fake").mp3
                self._send(200, "audio/mpeg", fake.last_mp3)

            def _send(self, status: int, content_type: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
