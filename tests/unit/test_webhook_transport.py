"""The webhook transport connects to the checked address only (never resolving the name again), sends the URL's
host as Host, follows no redirect, reads at most the cap of an answer, and turns silence into a TransportFailure."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.providers.webhooks.pinned_http import PinnedHttpTransport
from shared.webhooks.ports import Destination, TransportFailure


class Receiver(BaseHTTPRequestHandler):
    seen: list[dict] = []
    answer: tuple[int, dict[str, str], bytes] = (200, {}, b"ok")
    delay_seconds = 0.0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append({"host": self.headers.get("Host"), "path": self.path, "body": body,
                                "webhook-id": self.headers.get("webhook-id")})
        time.sleep(type(self).delay_seconds)
        status, headers, payload = type(self).answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def receiver(answer=(200, {}, b"ok"), delay_seconds=0.0) -> Iterator[int]:
    handler = type("TestReceiver", (Receiver,), {"seen": [], "answer": answer, "delay_seconds": delay_seconds})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.seen
    finally:
        server.shutdown()
        server.server_close()


def destination(port: int, host: str = "receiver.invalid") -> Destination:
    # `.invalid` never resolves (RFC 6761): a request that arrives proves the transport dialled the address given.
    return Destination(scheme="http", host=host, port=port, target="/hooks/in?x=1", addresses=("127.0.0.1",))


def post(dest: Destination, timeout: float = 5.0, cap: int = 1024):
    return PinnedHttpTransport().post(dest, {"webhook-id": "evt_1", "content-type": "application/json"}, b'{"a":1}',
                                      timeout_seconds=timeout, max_response_bytes=cap)


def test_it_dials_the_checked_address_and_names_the_urls_host():
    with receiver() as (port, seen):
        response = post(destination(port))

    assert response.status == 200 and response.body == "ok"
    assert seen == [{"host": f"receiver.invalid:{port}", "path": "/hooks/in?x=1", "body": b'{"a":1}',
                     "webhook-id": "evt_1"}]


def test_a_redirect_is_an_answer_not_followed():
    with receiver(answer=(302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")) as (port, seen):
        response = post(destination(port))

    assert response.status == 302 and len(seen) == 1


def test_only_the_start_of_a_long_answer_is_read():
    with receiver(answer=(500, {"Retry-After": "30"}, b"x" * 100_000)) as (port, _):
        response = post(destination(port), cap=1024)

    assert (response.status, len(response.body), response.retry_after) == (500, 1024, "30")


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout():
    with receiver(delay_seconds=2.0) as (port, _):
        started = time.monotonic()
        with pytest.raises(TransportFailure, match="timed out"):
            post(destination(port), timeout=0.5)
    assert time.monotonic() - started < 1.9


def test_nothing_listening_is_a_connection_failure():
    with receiver() as (port, _):
        pass  # closed: nothing listens on the port any more
    with pytest.raises(TransportFailure, match="connection failed"):
        post(destination(port))
