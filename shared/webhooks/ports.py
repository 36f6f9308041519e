"""The port webhook deliveries go out through, and the types it speaks.

The service decides *where* (a `Destination` whose every address passed the SSRF rules, shared/webhooks/
destinations.py); the transport (shared/providers/webhooks/) connects to exactly those addresses — never resolving
the name again, so a DNS answer that changes between the check and the connection (rebinding) changes nothing —,
follows no redirect and reads at most a few bytes of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Destination:
    scheme: str  # "https" (anywhere) or "http" (the local sandbox's loopback only)
    host: str  # as the URL names it (IDNA): the Host header, TLS's server name and certificate check
    port: int
    target: str  # path and query, e.g. "/hooks/callfunnel?x=1"
    addresses: tuple[str, ...]  # every address the host resolved to, each one checked: the only ones dialled

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: str  # the start of the answer, at most the transport's cap (bytes decoded leniently)
    retry_after: str | None = None  # the Retry-After header, as sent


class TransportFailure(Exception):
    """No HTTP answer: timeout, refused or reset connection, TLS failure. `reason` is safe to store and show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WebhookTransport(Protocol):
    def post(self, destination: Destination, headers: dict[str, str], body: bytes, *, timeout_seconds: float,
             max_response_bytes: int) -> WebhookResponse:
        """POST `body` to the destination's checked addresses; raises TransportFailure when nothing answered."""
