"""The laptop's HTTP server itself: it holds a crowd, answers any method with the contract's JSON, and its
access log never carries a phone number."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.contract.conftest import LocalStack
from tests.contract.helpers import JSON_CONTENT, sign_up_and_log_in

CROWD = 200
PHONE = "+14155550313"
ENCODED_PHONE = "%2B14155550313"
LOG_FLUSH_SECONDS = 5


def _host_and_port(base_url: str) -> tuple[str, int]:
    target = urlsplit(base_url)
    return target.hostname or "127.0.0.1", target.port or 80


def test_200_concurrent_connections_are_all_answered_none_reset(base_url: str) -> None:
    # Given 200 clients that connect at the same instant
    host, port = _host_and_port(base_url)
    start = threading.Barrier(CROWD)
    statuses: list[int] = []
    failures: list[str] = []

    def client() -> None:
        start.wait()
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.request("GET", "/healthz")
            statuses.append(connection.getresponse().status)
        except OSError as error:  # ConnectionResetError, BrokenPipeError, refused, timed out
            failures.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    # When each sends a request
    threads = [threading.Thread(target=client) for _ in range(CROWD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then every one is answered: no connection is reset or refused
    assert failures == [], f"{len(failures)} of {CROWD} connections failed, e.g. {failures[:3]}"
    assert statuses == [200] * CROWD


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "BREW"])
def test_an_unknown_or_unrouted_method_gets_the_contracts_json_not_an_html_page(base_url: str,
                                                                                method: str) -> None:
    # Given a method no route declares
    host, port = _host_and_port(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        # When it is sent to a real path
        connection.request(method, "/healthz")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()

    # Then the answer is what API Gateway's $default route gives: 404/405 with the contract's error JSON
    assert response.status in (404, 405), body[:200]
    assert response.getheader("Content-Type", "").startswith("application/json")
    assert {"error", "code"} <= requests.models.complexjson.loads(body).keys()


def test_a_malformed_request_line_gets_the_contracts_json(base_url: str) -> None:
    # Given a request line the HTTP parser refuses
    with socket.create_connection(_host_and_port(base_url), timeout=30) as raw:
        raw.sendall(b"NOT A VALID REQUEST LINE\r\n\r\n")
        chunks = []
        while chunk := raw.recv(65536):  # the server closes the connection after the refusal
            chunks.append(chunk)
        answer = b"".join(chunks).decode("latin-1")

    # Then the refusal is a 400 with the contract's error JSON, not the stdlib's HTML page
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.") and " 400 " in head.splitlines()[0], head
    assert "application/json" in head and '"code"' in body and "<html" not in body.lower()


@pytest.mark.parametrize("length", ["-1", "12abc", "1_0", "+2"])
def test_a_malformed_content_length_is_a_400_at_once_not_a_connection_held_open(base_url: str, length: str) -> None:
    # Given a request whose Content-Length is not a length (a negative one made the server read until the
    # client hung up, holding a thread for as long as the client liked)
    with socket.create_connection(_host_and_port(base_url), timeout=10) as raw:
        raw.sendall(f"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {length}\r\n\r\n{{}}".encode())
        # When the client waits for the answer, keeping its side open (the server closes after answering)
        chunks = []
        while chunk := raw.recv(65536):
            chunks.append(chunk)
        first = b"".join(chunks).decode("latin-1")

    # Then the answer is a 400 with the contract's error JSON, without waiting for the client to hang up
    head, _, body = first.partition("\r\n\r\n")
    assert " 400 " in head.splitlines()[0], head
    assert "application/json" in head and '"BAD_REQUEST"' in body


def _output_since(stack: LocalStack, offset: int, needle: str) -> str:
    """The stack's output after `offset`, once `needle` shows up in it (the log is written after the answer)."""
    deadline = time.monotonic() + LOG_FLUSH_SECONDS
    while True:
        with stack.output_path.open("rb") as output:
            output.seek(offset)
            text = output.read().decode("utf-8", "replace")
        if needle in text or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


def test_the_access_log_names_the_route_template_and_never_a_full_phone_number(
        local_stack: LocalStack, base_url: str, http: requests.Session) -> None:
    # Given a number on the tenant's DNC list
    account = sign_up_and_log_in(http, base_url)
    added = http.post(f"{base_url}/dnc/add", json={"phone_e164": PHONE}, headers={**JSON_CONTENT, **account.auth})
    assert added.status_code == 200, added.text
    offset = local_stack.output_path.stat().st_size

    # When it is removed with the number in the path, and an unknown path carrying the number is requested
    removed = http.delete(f"{base_url}/dnc/{ENCODED_PHONE}", headers=account.auth)
    unknown = http.get(f"{base_url}/no-such-route/{ENCODED_PHONE}")
    assert removed.status_code == 200 and unknown.status_code == 404

    # Then the access log names the route template, masks the unknown path's number, and never has it whole
    output = _output_since(local_stack, offset, "/no-such-route/")
    assert "DELETE /dnc/{phone_e164} 200" in output, output
    assert "GET /no-such-route/***0313 404" in output, output
    assert "14155550313" not in output and "4155550313" not in output, output
