"""`/_sandbox/carrier`: the simulated carrier of the laptop stack (the default of `make run`).

`POST /_sandbox/carrier/calls` places a call (the `SandboxCalls` adapter sends it): the carrier answers
`201 {"sid"}` at once and plays the call on a daemon thread, sending the signed form webhooks Twilio would
send — status callbacks `ringing`, then `busy` / `no-answer`, or `in-progress` … `completed` — and walking
the TwiML our voice webhook answers, with a scripted callee (shared/conversation/sandbox_callees.py)
speaking its lines into each `<Gather>`. `GET /_sandbox/carrier/calls` lists the recent calls with what
each side said. Local only: not a catalog route, never deployed.

`SimulatedCall` is the pure part: it receives the HTTP post, the sleep and the clock, so tests drive a
whole call without a server or real time.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra_local.http_adapter import HttpResponse, error_response, json_response
from shared.platform import clock

CARRIER_PATH = "/_sandbox/carrier"
CALLS_PATH = f"{CARRIER_PATH}/calls"
ACCOUNT_SID = "ACsandbox"
API_VERSION = "2010-04-01"
SIGNATURE_HEADER = "X-Twilio-Signature"
SPEECH_CONFIDENCE = "0.93"
WEBHOOK_TIMEOUT_SECONDS = 15.0  # Twilio's own limit for a TwiML answer
MAX_DOCUMENTS_PER_CALL = 200  # a redirect loop ends the call instead of spinning forever
RECENT_CALLS_KEPT = 200
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")

#: (status, body) of a webhook POST with these form parameters.
Post = Callable[[str, dict[str, str]], tuple[int, str]]


@dataclass(frozen=True)
class CarrierTimings:
    ring_seconds: float = 0.4  # ringing before the callee answers (or not)
    turn_seconds: float = 0.2  # the callee's pause before each reply
    pause_scale: float = 0.2  # <Pause length=N> sleeps N × this

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> CarrierTimings:
        defaults = cls()
        return cls(
            ring_seconds=float(environ.get("SANDBOX_CARRIER_RING_SECONDS", defaults.ring_seconds)),
            turn_seconds=float(environ.get("SANDBOX_CARRIER_TURN_SECONDS", defaults.turn_seconds)),
            pause_scale=float(environ.get("SANDBOX_CARRIER_PAUSE_SCALE", defaults.pause_scale)),
        )


@dataclass(frozen=True)
class CallRequest:
    """The body of `POST /_sandbox/carrier/calls`."""

    call_id: str
    to: str
    from_: str
    voice_url: str
    status_url: str
    time_limit_seconds: float
    machine_detection: bool
    script: dict[str, Any]

    @classmethod
    def from_json(cls, payload: Any) -> CallRequest:
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        missing = [name for name in ("call_id", "to", "voice_url", "status_url") if not payload.get(name)]
        if missing:
            raise ValueError(f"missing: {', '.join(missing)}")
        script = payload.get("script") or {}
        if not isinstance(script, dict):
            raise ValueError("script must be an object")
        return cls(call_id=str(payload["call_id"]), to=str(payload["to"]), from_=str(payload.get("from") or ""),
                   voice_url=str(payload["voice_url"]), status_url=str(payload["status_url"]),
                   time_limit_seconds=float(payload.get("time_limit_seconds") or 600),
                   machine_detection=bool(payload.get("machine_detection", True)), script=script)


@dataclass
class CallRecord:
    """One call as `GET /_sandbox/carrier/calls` shows it; `SimulatedCall` fills it in as the call goes."""

    sid: str
    call_id: str
    to: str
    from_: str
    status: str = "queued"
    answered_by: str | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)
    duration_seconds: int = 0
    error: str | None = None
    placed_at: str = field(default_factory=lambda: clock.now().isoformat(timespec="seconds"))

    def said(self, speaker: str, text: str) -> None:
        self.transcript.append({"speaker": speaker, "text": text})

    def as_json(self) -> dict[str, Any]:
        return {"sid": self.sid, "call_id": self.call_id, "to": self.to, "from": self.from_, "status": self.status,
                "answered_by": self.answered_by, "transcript": list(self.transcript),
                "duration_seconds": self.duration_seconds, "error": self.error, "placed_at": self.placed_at}


class CallEnded(Exception):
    """The walk stops: the callee or the TwiML hung up, or the time limit passed."""


class WebhookFailed(Exception):
    """Our webhook answered non-2xx, unparsable TwiML, or nothing: the call fails."""


def callee_script(request: CallRequest) -> Any:
    """The scripted callee: the one the dialer sent, else the one the number's last digit names."""
    from shared.conversation.sandbox_callees import ScriptedCallee, callee_for

    if not request.script:
        return callee_for(request.to)
    script = dict(request.script)
    script["lines"] = tuple(script.get("lines") or ())
    return ScriptedCallee(**script)


class SimulatedCall:
    """One call from ringing to its final status, walking the TwiML our webhooks answer."""

    def __init__(self, request: CallRequest, record: CallRecord, *, post: Post, sleep: Callable[[float], None],
                 clock: Callable[[], float] = time.monotonic, timings: CarrierTimings = CarrierTimings()) -> None:
        self.request = request
        self.record = record
        self._post = post
        self._sleep = sleep
        self._clock = clock
        self._timings = timings
        self._callee = callee_script(request)
        self._sequence = itertools.count()
        self._answered_at: float | None = None
        self._turn = 0
        self._documents = 0

    def run(self) -> CallRecord:
        self._status("ringing")
        self._sleep(self._timings.ring_seconds)
        if self._callee.busy:
            return self._finish("busy")
        if not self._callee.answers:
            return self._finish("no-answer")
        self._answered_at = self._clock()
        answered_by = {"AnsweredBy": self._answered_by()} if self.request.machine_detection else {}
        self._status("in-progress")
        try:
            self._walk(self.request.voice_url, answered_by)
        except CallEnded:
            pass
        except WebhookFailed as failure:
            self.record.error = str(failure)
            sys.stderr.write(f"[sandbox carrier] call {self.record.sid} failed: {failure}\n")
            return self._finish("failed")
        return self._finish("completed")

    def _answered_by(self) -> str:
        self.record.answered_by = "machine_start" if self._callee.machine else "human"
        return self.record.answered_by

    # --- TwiML ---

    def _walk(self, url: str, extra: dict[str, str]) -> None:
        """Fetch the TwiML at `url` and play it; a <Gather> answered or a <Redirect> continues at its URL."""
        while True:
            self._documents += 1
            if self._documents > MAX_DOCUMENTS_PER_CALL:
                raise WebhookFailed(f"more than {MAX_DOCUMENTS_PER_CALL} TwiML documents in one call")
            verbs = self._fetch(url, extra)
            next_request = self._play(url, verbs)
            if next_request is None:
                raise CallEnded
            url, extra = next_request

    def _fetch(self, url: str, extra: dict[str, str]) -> list[ElementTree.Element]:
        self._check_time_limit()
        status, body = self._post(url, {**self._call_params("in-progress"), **extra})
        if not 200 <= status < 300:
            raise WebhookFailed(f"{_path_of(url)} answered {status}")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as error:
            raise WebhookFailed(f"{_path_of(url)} answered invalid TwiML: {error}") from error
        if root.tag != "Response":
            raise WebhookFailed(f"{_path_of(url)} answered <{root.tag}>, not <Response>")
        return list(root)

    def _play(self, url: str, verbs: list[ElementTree.Element]) -> tuple[str, dict[str, str]] | None:
        """Play the verbs; the next document to fetch, or None when the document ends the call."""
        for verb in verbs:
            self._check_time_limit()
            if verb.tag in ("Say", "Play"):
                self._speak(verb)
            elif verb.tag == "Pause":
                self._sleep(float(verb.get("length", "1")) * self._timings.pause_scale)
            elif verb.tag == "Gather":
                for prompt in verb:
                    self._speak(prompt)
                reply = self._callee.reply(self._turn, self._last_agent_text())
                self._turn += 1
                self._sleep(self._timings.turn_seconds)
                if reply is None:
                    continue  # the gather times out: Twilio goes on with the verbs after it
                self.record.said("callee", reply)
                action = urllib.parse.urljoin(url, verb.get("action") or url)
                return action, {"SpeechResult": reply, "Confidence": SPEECH_CONFIDENCE}
            elif verb.tag == "Redirect":
                return urllib.parse.urljoin(url, (verb.text or "").strip() or url), {}
            elif verb.tag in ("Hangup", "Reject"):
                return None
            else:
                sys.stderr.write(f"[sandbox carrier] call {self.record.sid}: <{verb.tag}> is not simulated\n")
        return None

    def _speak(self, verb: ElementTree.Element) -> None:
        text = (verb.text or "").strip()
        if verb.tag == "Play":
            text = f"(plays {text})"
        if text:
            self.record.said("agent", text)

    def _last_agent_text(self) -> str:
        return next((line["text"] for line in reversed(self.record.transcript) if line["speaker"] == "agent"), "")

    def _check_time_limit(self) -> None:
        if self._answered_at is not None and self._elapsed() >= self.request.time_limit_seconds:
            self.record.error = "time limit reached: the carrier hung up"
            raise CallEnded

    # --- Status callbacks ---

    def _elapsed(self) -> float:
        return self._clock() - self._answered_at if self._answered_at is not None else 0.0

    def _finish(self, status: str) -> CallRecord:
        self.record.duration_seconds = math.ceil(self._elapsed())
        duration = str(self.record.duration_seconds)
        self._status(status, {"CallDuration": duration, "Duration": duration})
        return self.record

    def _status(self, status: str, extra: dict[str, str] | None = None) -> None:
        self.record.status = status
        params = {**self._call_params(status), "SequenceNumber": str(next(self._sequence)), **(extra or {})}
        if self.record.answered_by and self.request.machine_detection:
            params["AnsweredBy"] = self.record.answered_by
        try:
            code, _ = self._post(self.request.status_url, params)
        except WebhookFailed as failure:
            code, self.record.error = 0, str(failure)
        if not 200 <= code < 300:
            sys.stderr.write(f"[sandbox carrier] status callback {status} of {self.record.sid} answered {code}\n")

    def _call_params(self, status: str) -> dict[str, str]:
        return {"AccountSid": ACCOUNT_SID, "CallSid": self.record.sid, "From": self.request.from_,
                "To": self.request.to, "Direction": "outbound-api", "CallStatus": status, "ApiVersion": API_VERSION}


def _path_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path


# --- Signed webhooks over HTTP ---


def twilio_signature(url: str, params: dict[str, str], auth_token: str) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).compute_signature(url, params)


def webhook_request(url: str, params: dict[str, str], auth_token: str) -> Any:
    """The form POST Twilio would send: urlencoded parameters, signed with `X-Twilio-Signature`."""
    import urllib.request

    return urllib.request.Request(url, data=urllib.parse.urlencode(params).encode("utf-8"), method="POST", headers={
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
        raise WebhookFailed(f"{_path_of(url)} unreachable: {error}") from error


# --- The carrier: calls on threads, and its HTTP surface ---


class SandboxCarrier:
    def __init__(self, *, post: Post = post_signed_webhook, sleep: Callable[[float], None] = time.sleep,
                 timings: CarrierTimings | None = None) -> None:
        self._post = post
        self._sleep = sleep
        self._timings = timings or CarrierTimings.from_environment()
        self._calls: deque[CallRecord] = deque(maxlen=RECENT_CALLS_KEPT)
        self._lock = threading.Lock()
        self._sids = itertools.count(1)

    def place(self, request: CallRequest) -> tuple[CallRecord, bool]:
        """(the call, whether it is new): a second request with the same call id is the same call."""
        with self._lock:
            existing = next((call for call in self._calls if call.call_id == request.call_id), None)
            if existing is not None:
                return existing, False
            record = CallRecord(sid=f"SB{next(self._sids):032x}", call_id=request.call_id, to=request.to,
                                from_=request.from_)
            self._calls.append(record)
        call = SimulatedCall(request, record, post=self._post, sleep=self._sleep, timings=self._timings)
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

    def respond(self, method: str, path: str, body: bytes) -> HttpResponse:
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
