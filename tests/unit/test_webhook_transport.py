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


def _certificate(tmp_path, host: str):
    """A self-signed certificate for `host`, written as PEM files; returns (cert path, key path)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
                   .not_valid_after(now + dt.timedelta(hours=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{host}.pem", tmp_path / f"{host}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def tls_receiver(cert_path, key_path) -> Iterator[int]:
    import ssl

    handler = type("TlsReceiver", (Receiver,), {"seen": [], "answer": (200, {}, b"ok"), "delay_seconds": 0.0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.seen
    finally:
        server.shutdown()
        server.server_close()


def test_https_goes_to_the_checked_address_and_verifies_the_certificate_for_the_urls_host(tmp_path):
    import ssl

    cert, key = _certificate(tmp_path, "hooks.example.test")
    trusted = ssl.create_default_context(cafile=str(cert))
    with tls_receiver(cert, key) as (port, seen):
        dest = Destination(scheme="https", host="hooks.example.test", port=port, target="/in",
                           addresses=("127.0.0.1",))
        response = PinnedHttpTransport(tls_context=trusted).post(dest, {"webhook-id": "evt_1"}, b"{}",
                                                                  timeout_seconds=5, max_response_bytes=1024)

    assert response.status == 200 and seen[0]["host"] == f"hooks.example.test:{port}"


def test_https_to_an_address_whose_certificate_names_another_host_fails(tmp_path):
    import ssl

    cert, key = _certificate(tmp_path, "elsewhere.example.test")
    trusted = ssl.create_default_context(cafile=str(cert))
    with tls_receiver(cert, key) as (port, seen):
        dest = Destination(scheme="https", host="hooks.example.test", port=port, target="/in",
                           addresses=("127.0.0.1",))
        with pytest.raises(TransportFailure, match="TLS failed"):
            PinnedHttpTransport(tls_context=trusted).post(dest, {}, b"{}", timeout_seconds=5, max_response_bytes=1)

    assert seen == []
