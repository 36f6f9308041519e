"""A local fake of the few Stripe endpoints the adapter calls, over real HTTP; and a webhook receiver.

`FakeStripeApi` records every request (method, path, query, headers, form fields) and answers like
Stripe: a Checkout Session, a PaymentIntent search, a PaymentIntent; `answer_status` scripts a failure.
`FakeWebhookReceiver` answers the sandbox's deliveries with scripted statuses.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.local_server import LocalHttpFake, QuietHandler


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    body: bytes = b""


class _FakeServer(LocalHttpFake):
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        super().__init__()

    @abstractmethod
    def answer(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        """The fake's reply to one recorded request."""

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                raw = self.read_body()
                url = urlsplit(self.path)
                form = dict(parse_qsl(raw.decode(errors="replace"))) if b"=" in raw else {}
                recorded = RecordedRequest(self.command, url.path, dict(parse_qsl(url.query)),
                                           self.lower_headers(), form, raw)
                fake.requests.append(recorded)
                self.send_json(*fake.answer(recorded))

        return Handler


class FakeStripeApi(_FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.error: dict[str, Any] = {"message": "fake failure", "type": "api_error"}
        self.saved_intents: list[dict[str, Any]] = []  # what /v1/payment_intents/search finds

    def answer_status(self, status: int, error: dict[str, Any] | None = None) -> None:
        self.status = status
        if error:
            self.error = error

    def answer(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        if request.path == "/v1/payment_intents/search":
            return 200, {"object": "search_result", "data": self.saved_intents}
        if self.status != 200:
            return self.status, {"error": self.error}
        if request.path == "/v1/checkout/sessions":
            return 200, {"id": "cs_test_123", "object": "checkout.session",
                         "url": "https://checkout.stripe.com/c/pay/cs_test_123"}
        if request.path == "/v1/payment_intents":
            return 200, {"id": "pi_test_456", "object": "payment_intent", "status": "succeeded"}
        return 404, {"error": {"message": "no such endpoint"}}


@dataclass
class FakeWebhookReceiver(_FakeServer):
    """Answers each delivery with the next scripted status (then 200)."""

    statuses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def answer(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        status = self.statuses.pop(0) if self.statuses else 200
        return status, {"received": status == 200}
