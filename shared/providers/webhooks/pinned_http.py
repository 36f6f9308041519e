"""The webhook transport: one HTTP POST to the addresses the SSRF check approved, and nowhere else.

`http.client` over a socket we open ourselves to a checked address (tried in the order DNS gave them), with the
URL's host as the Host header — and for https as TLS's server name, the certificate verified against it. No name is
resolved here (no DNS rebinding between check and connect), no proxy is used, no redirect is followed (a 3xx is
just an answer), and at most `max_response_bytes` of the body are read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time

from shared.webhooks.ports import Destination, TransportFailure, WebhookResponse


class PinnedHttpTransport:
    def __init__(self, tls_context: ssl.SSLContext | None = None) -> None:
        self._tls_context = tls_context

    def post(self, destination: Destination, headers: dict[str, str], body: bytes, *, timeout_seconds: float,
             max_response_bytes: int) -> WebhookResponse:
        deadline = time.monotonic() + timeout_seconds
        connection = self._connection(destination, timeout_seconds)
        sock: socket.socket | None = None
        try:
            sock = connection.sock = self._connect(destination, deadline)
            connection.putrequest("POST", destination.target, skip_host=True, skip_accept_encoding=True)
            for name, value in {"Host": destination.host_header, **headers,
                                "Content-Length": str(len(body)), "Connection": "close"}.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            sock.settimeout(max(deadline - time.monotonic(), 0.1))  # the body, within what is left of the deadline
            answer = response.read(max_response_bytes)
            return WebhookResponse(status=response.status, body=answer.decode("utf-8", "replace"),
                                   retry_after=response.getheader("Retry-After"))
        except TimeoutError as error:
            raise TransportFailure(f"timed out after {timeout_seconds:g} s") from error
        except ssl.SSLError as error:
            raise TransportFailure(f"TLS failed: {error.reason or type(error).__name__}") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransportFailure(f"connection failed: {type(error).__name__}") from error
        finally:
            connection.close()
            if sock is not None:
                sock.close()  # the response may still hold it: the unread rest of a long answer is dropped

    def _connection(self, destination: Destination, timeout_seconds: float) -> http.client.HTTPConnection:
        # The connection object only frames the request: its socket is ours (connected to a checked address).
        return http.client.HTTPConnection(destination.host, destination.port, timeout=timeout_seconds)

    def _connect(self, destination: Destination, deadline: float) -> socket.socket:
        last_error: OSError | None = None
        for address in destination.addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                raw = socket.create_connection((address, destination.port), timeout=remaining)
            except OSError as error:
                last_error = error
                continue
            if destination.scheme != "https":
                return raw
            context = self._tls_context or ssl.create_default_context()
            try:
                return context.wrap_socket(raw, server_hostname=destination.host)
            except BaseException:
                raw.close()
                raise
        raise last_error or OSError("no address to connect to")
