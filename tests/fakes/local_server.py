"""The scaffolding every local provider fake shares: a real HTTP server on 127.0.0.1, on a free port.

A fake subclasses `LocalHttpFake`, calls its `__init__` (a dataclass fake, from `__post_init__`) and supplies
`_handler_class()`, usually a `QuietHandler` subclass. `with fake:` serves in a daemon thread; leaving stops it.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class LocalHttpFake(ABC):
    block_on_close = True  # False: teardown does not wait for a request still being answered (a slow answer)

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = self.block_on_close
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @abstractmethod
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this fake's state."""


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and has the body/header/answer helpers the fakes share."""

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def lower_headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def send_bytes(self, status: int, data: bytes, content_type: str = "application/json",
                   extra_headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            for name, value in (extra_headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (timeout tests)

    def send_json(self, status: int, payload: Any) -> None:
        self.send_bytes(status, json.dumps(payload).encode())

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass
