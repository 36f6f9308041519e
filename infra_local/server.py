"""The laptop's API Gateway: an HTTP server that hands each request to the catalog function owning it."""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from functions.catalog import FUNCTIONS, LambdaFunction
from infra_local.console_assets import console_response, is_console_request
from infra_local.environment import LocalEnvironment
from infra_local.http_adapter import (
    DEFAULT_ROUTE_KEY,
    MAX_REQUEST_BODY_BYTES,
    HttpRequest,
    HttpResponse,
    build_event,
    error_response,
    json_response,
    map_result,
    masked_path,
    match_route,
)
from infra_local.lambda_runtime import LocalLambdaRuntime, RuntimeBusy
from infra_local.outbox import Outbox
from infra_local.sandbox_carrier import SandboxCarrier, is_carrier_path
from infra_local.sandbox_checkout import checkout_response, is_checkout_path
from infra_local.sandbox_clock import CLOCK_PATH, clock_response
from infra_local.sandbox_media import is_media_path, media_response
from infra_local.sandbox_providers import PROVIDERS_PATH, provider_check_response
from infra_local.sandbox_queues import QUEUES_PATH, queues_response
from infra_local.sandbox_slack import SLACK_PATH, slack_response
from infra_local.sandbox_slack_workspaces import SandboxSlack
from infra_local.sandbox_transfers import TRANSFERS_PATH
from infra_local.sandbox_webhook_receiver import RECEIVER_PATH, WebhookReceivers

OUTBOX_PATH = "/_sandbox/outbox"  # local only: not a catalog route, never deployed
HEADERS_SET_BY_SERVER = {"content-length", "connection", "transfer-encoding"}
READ_CHUNK_BYTES = 64 * 1024
#: Connections the kernel queues while every thread is busy accepting; the stdlib's 5 reset a crowd of
#: 50 clients. The kernel caps it at net.core.somaxconn (4096 on current Linux).
LISTEN_BACKLOG = 1024


class PayloadTooLarge(Exception):
    pass


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True  # a request in flight never holds up Ctrl-C
    request_queue_size = LISTEN_BACKLOG  # one thread per accepted connection; the backlog holds the rest

    def __init__(self, environment: LocalEnvironment, functions: tuple[LambdaFunction, ...] = FUNCTIONS,
                 *, access_log: bool = True, carrier: SandboxCarrier | None = None) -> None:
        super().__init__((environment.host, environment.port), LocalApiRequestHandler)
        self.functions = functions
        self.access_log = access_log
        self.account_id = environment.account_id
        self.region = environment.region
        self.runtime = LocalLambdaRuntime(region=environment.region, account_id=environment.account_id)
        # The sandbox Slack: the workspaces tenants connect, standing in for Slack's OAuth pages and Web API.
        self.slack = SandboxSlack()
        self.outbox = Outbox(account_id=environment.account_id, region=environment.region)
        self.base_url = environment.base_url
        # The simulated carrier: calls play on their own threads and reach the webhooks over HTTP.
        self.carrier = carrier or SandboxCarrier()
        # A tenant's webhook endpoint, for the events the stack sends (infra_local/sandbox_webhook_receiver.py).
        self.webhook_receivers = WebhookReceivers()

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is not our error
            super().handle_error(request, client_address)


class LocalApiRequestHandler(BaseHTTPRequestHandler):
    server: LocalApiServer

    def serve(self) -> None:
        started = time.perf_counter()
        self.route_label = masked_path(urlsplit(self.path).path)  # the route template once one matches
        response = self._respond()
        self._write(response)
        elapsed_ms = (time.perf_counter() - started) * 1000
        # The route template (or the path with its numbers masked), never the query: paths carry phone
        # numbers (`DELETE /dnc/%2B1415…`), query strings tokens (email verification links).
        if self.server.access_log:
            sys.stderr.write(f"{self.command} {self.route_label} {response.status} {elapsed_ms:.0f} ms\n")
        self._announce_new_email()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = serve

    def __getattr__(self, name: str):
        """Any other method (TRACE, CONNECT, made-up ones) goes where API Gateway sends it: the `$default`
        route, whose function answers the contract's 404 JSON — not the stdlib's 501 HTML page."""
        if name.startswith("do_"):
            return self.serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (malformed request line, URI too long, too many headers) as the
        contract's error JSON instead of an HTML page."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # a refused request line leaves "HTTP/0.9": no status line at all
        body = json.dumps({"error": message or self.responses.get(code, ("Error",))[0],
                           "code": "BAD_REQUEST" if code == 400 else f"HTTP_{code}"}).encode("utf-8")
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def log_request(self, code="-", size="-") -> None:
        """Silenced: `serve()` logs each request once it is answered, with its duration."""

    def log_error(self, format: str, *args) -> None:
        """Silenced: the stdlib would log the raw request line, phone numbers included."""

    def _respond(self) -> HttpResponse:
        target = urlsplit(self.path)
        # HEAD is answered like GET, without the body: the resolvers only declare GET routes.
        method = "GET" if self.command == "HEAD" else self.command
        try:
            body = self._read_body()
        except PayloadTooLarge:
            return error_response(413, "Request body exceeds 10 MB", "PAYLOAD_TOO_LARGE")
        except ValueError:
            return error_response(400, "Malformed Content-Length or chunked body", "BAD_REQUEST")
        if method == "GET" and target.path == OUTBOX_PATH:
            self._announce_new_email()
            return json_response(200, [mail.as_json() for mail in self.server.outbox.sent()])
        if method == "GET" and is_media_path(target.path):
            return self._media(target.path)
        if is_checkout_path(target.path):
            return self._sandbox("sandbox checkout", lambda: checkout_response(method, target.path, body))
        if method == "GET" and target.path == QUEUES_PATH:
            return self._sandbox("sandbox queues",
                                 lambda: queues_response(region=self.server.region, account_id=self.server.account_id))
        if method == "GET" and target.path.startswith(PROVIDERS_PATH):
            headers = {name.lower(): value for name, value in self.headers.items()}
            return self._sandbox("sandbox providers", lambda: provider_check_response(target.path, headers))
        if target.path == CLOCK_PATH:
            return self._sandbox("sandbox clock", lambda: clock_response(method, body))
        if target.path == TRANSFERS_PATH:  # what the sandbox humans heard (warm transfers)
            return self._sandbox("sandbox transfers", lambda: self.server.carrier.transfers.respond(method))
        if is_carrier_path(target.path):
            return self._sandbox("sandbox carrier", lambda: self.server.carrier.respond(method, target.path, body))
        if target.path == SLACK_PATH or target.path.startswith(SLACK_PATH + "/"):
            return self._sandbox("sandbox slack", lambda: slack_response(
                method, target.path, body, slack=self.server.slack, base_url=self.server.base_url,
                query=target.query, headers=dict(self.headers.items())))
        if target.path == RECEIVER_PATH or target.path.startswith(RECEIVER_PATH + "/"):
            headers = {name.lower(): value for name, value in self.headers.items()}
            return self._sandbox("sandbox webhook receiver", lambda: self.server.webhook_receivers.respond(
                method, target.path, headers, body))
        match = match_route(method, target.path, self.server.functions)
        if (match is None or match.route_key == DEFAULT_ROUTE_KEY) and is_console_request(method, target.path):
            return self._sandbox("console", lambda: console_response(target.path))  # the API's routes win
        if match is None:
            return error_response(404, "Not found", "NOT_FOUND")
        if match.route_key != DEFAULT_ROUTE_KEY:
            self.route_label = match.route_key.split(" ", 1)[1]
        request = HttpRequest(
            method=method,
            path=target.path,
            query_string=target.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        try:
            event = build_event(request, match, account_id=self.server.account_id)
            return map_result(self.server.runtime.invoke(match.function, event))
        except RuntimeBusy as busy:
            sys.stderr.write(f"{busy}: is a handler calling this stack synchronously?\n")
            return error_response(503, "Service unavailable", "UNAVAILABLE")
        except Exception:
            sys.stderr.write(f"{match.function.name} failed on {self.command} {self.route_label}:\n")
            traceback.print_exc(file=sys.stderr)
            return error_response(500, "Internal server error", "INTERNAL_ERROR")

    def _media(self, path: str) -> HttpResponse:
        return self._sandbox("sandbox media", lambda: media_response(path, self.headers.get("Range")))

    def _sandbox(self, what: str, respond: Callable[[], HttpResponse]) -> HttpResponse:
        """A local-only route, answered in this thread: a failure is a logged 500, never a dropped connection."""
        try:
            return respond()
        except Exception:
            sys.stderr.write(f"{what} failed on {self.command} {self.route_label}:\n")
            traceback.print_exc(file=sys.stderr)
            return error_response(500, "Internal server error", "INTERNAL_ERROR")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked_body()
        declared = (self.headers.get("Content-Length") or "0").strip()
        # Digits only: int() takes "-1" (then read() waits for the client to hang up), "+2" and "1_0".
        if not (declared.isascii() and declared.isdigit()):
            raise ValueError(f"Content-Length is not a length: {declared[:20]!r}")
        length = int(declared)
        if length > MAX_REQUEST_BODY_BYTES:
            self._discard(length)
            raise PayloadTooLarge
        return self.rfile.read(length)

    def _read_chunked_body(self) -> bytes:
        body, too_large = bytearray(), False
        while size := int(self.rfile.readline().split(b";", 1)[0], 16):
            chunk = self.rfile.read(size)
            self.rfile.readline()  # the CRLF closing the chunk
            too_large = too_large or len(body) + size > MAX_REQUEST_BODY_BYTES
            if not too_large:
                body += chunk
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
            pass
        if too_large:
            raise PayloadTooLarge
        return bytes(body)

    def _discard(self, length: int) -> None:
        """Read an oversized body anyway, so the client gets the 413 instead of a reset connection."""
        while length > 0:
            chunk = self.rfile.read(min(length, READ_CHUNK_BYTES))
            if not chunk:
                return
            length -= len(chunk)

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in HEADERS_SET_BY_SERVER:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _announce_new_email(self) -> None:
        for mail in self.server.outbox.collect_new():
            print(mail.announcement(), flush=True)
