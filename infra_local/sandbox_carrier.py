"""`/_sandbox/carrier`: the simulated carrier of the laptop stack (the default of `make run`).

`POST /_sandbox/carrier/calls` places a call (the `SandboxCalls` adapter sends it): the carrier answers
`201 {"sid"}` at once and plays the call on a daemon thread (infra_local/sandbox_call.py), sending the signed form
webhooks Twilio would send — status callbacks `ringing`, then `busy` / `no-answer`, or `in-progress` … `completed`,
and the async AMD result — and playing the TwiML our voice webhook answers: `<Connect><Stream>` is a real
bidirectional Media Stream to the voice plane on which a scripted callee (shared/conversation/sandbox_callees.py)
speaks its lines with espeak-ng and hears the agent in real time. `GET /_sandbox/carrier/calls` lists the recent
calls with what each callee said and when the agent spoke. Local only: not a catalog route, never deployed.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from infra_local.http_adapter import HttpResponse, error_response, json_response
from infra_local.sandbox_call import CallRecord, CallRequest, CarrierTimings, Post, SimulatedCall, WebhookFailed
from infra_local.sandbox_callee_lines import CalleeLineRegistry
from infra_local.sandbox_media_stream import Connect, open_websocket
from infra_local.sandbox_transfers import RECORDINGS_PATH, SandboxTransfers

CARRIER_PATH = "/_sandbox/carrier"
CALLS_PATH = f"{CARRIER_PATH}/calls"
SIGNATURE_HEADER = "X-Twilio-Signature"
WEBHOOK_TIMEOUT_SECONDS = 15.0  # Twilio's own limit for a TwiML answer
RECENT_CALLS_KEPT = 200


# --- Signed webhooks over HTTP ---


def twilio_signature(url: str, params: dict[str, str], auth_token: str) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).compute_signature(url, params)


def webhook_request(url: str, params: dict[str, str], auth_token: str) -> Any:
    """The form POST Twilio would send: urlencoded parameters, signed with `X-Twilio-Signature`."""
    import urllib.request

    return urllib.request.Request(url, data=urlencode(params).encode("utf-8"), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1 (callfunnel sandbox)",
        SIGNATURE_HEADER: twilio_signature(url, params, auth_token)})


def post_signed_webhook(url: str, params: dict[str, str]) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    from shared.platform.settings import get_settings

    token = get_settings().sandbox_carrier_auth_token.get_secret_value()
    try:
        with urllib.request.urlopen(webhook_request(url, params, token), timeout=WEBHOOK_TIMEOUT_SECONDS) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise WebhookFailed(f"{urlsplit(url).path} unreachable: {error}") from error


# --- The carrier: calls on threads, and its HTTP surface ---


class SandboxCarrier:
    """`callee_lines` is shared with the voice plane's stand-in STT; `connect` opens a call's media stream."""

    def __init__(self, *, post: Post = post_signed_webhook, sleep: Callable[[float], None] = time.sleep,
                 timings: CarrierTimings | None = None, connect: Connect = open_websocket,
                 callee_lines: CalleeLineRegistry | None = None, transfers: SandboxTransfers | None = None,
                 base_url: str | None = None) -> None:
        """`transfers`: the sandbox humans' log and the transfer legs' recordings (`GET /_sandbox/transfers`);
        `base_url`: the carrier's own URL (default: the stack's `SANDBOX_CARRIER_URL`)."""
        self._post = post
        self._sleep = sleep
        self._timings = timings or CarrierTimings.from_environment()
        self._connect = connect
        self.callee_lines = callee_lines if callee_lines is not None else CalleeLineRegistry()
        self._calls: deque[CallRecord] = deque(maxlen=RECENT_CALLS_KEPT)
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self.transfers = transfers if transfers is not None else SandboxTransfers()
        self._base_url = base_url

    def place(self, request: CallRequest) -> tuple[CallRecord, bool]:
        """(the call, whether it is new): a second request with the same call id is the same call."""
        with self._lock:
            existing = next((call for call in self._calls if call.call_id == request.call_id), None)
            if existing is not None:
                return existing, False
            record = CallRecord(sid=f"SB{next(self._sids):032x}", call_id=request.call_id, to=request.to,
                                from_=request.from_)
            self._calls.append(record)
        call = SimulatedCall(request, record, post=self._post, sleep=self._sleep, timings=self._timings,
                             connect=self._connect, callee_lines=self.callee_lines, transfers=self.transfers,
                             carrier_url=self.base_url)
        threading.Thread(target=self._play, args=(call,), name=f"sandbox-call-{record.sid}", daemon=True).start()
        return record, True

    def recent(self) -> list[dict[str, Any]]:
        with self._lock:
            return [call.as_json() for call in reversed(self._calls)]

    @staticmethod
    def _play(call: SimulatedCall) -> None:
        try:
            call.run()
        except Exception as error:  # a bug here must not die silently on its thread
            call.record.status, call.record.error = "failed", f"carrier error: {error}"
            import traceback

            sys.stderr.write(f"[sandbox carrier] call {call.record.sid} crashed:\n")
            traceback.print_exc(file=sys.stderr)

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            from shared.platform.settings import get_settings

            self._base_url = get_settings().sandbox_carrier_url or f"http://127.0.0.1{CARRIER_PATH}"
        return self._base_url.rstrip("/")

    def respond(self, method: str, path: str, body: bytes) -> HttpResponse:
        if path.startswith(f"{CARRIER_PATH}/{RECORDINGS_PATH}/") and method == "GET":
            return self.transfers.recording(path.rsplit("/", 1)[-1])
        if path.rstrip("/") != CALLS_PATH:
            return error_response(404, "Not found", "NOT_FOUND")
        if method == "GET":
            return json_response(200, self.recent())
        if method != "POST":
            return error_response(405, "Use GET or POST", "METHOD_NOT_ALLOWED")
        try:
            request = CallRequest.from_json(json.loads(body or b"null"))
        except (ValueError, TypeError) as error:
            return error_response(400, f"Invalid call: {error}", "BAD_REQUEST")
        record, new = self.place(request)
        return json_response(201 if new else 200, {"sid": record.sid, "status": record.status})


def is_carrier_path(path: str) -> bool:
    return path == CARRIER_PATH or path.startswith(CARRIER_PATH + "/")
