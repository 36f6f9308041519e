"""One sandbox call, from ringing to its final status: what `SimulatedCall` plays (infra_local/sandbox_carrier.py
places it on a thread and serves the calls' list).

It sends the status callbacks Twilio would, fetches the voice webhook's TwiML and plays it: `<Say>`/`<Play>`
(noted), `<Pause>`, `<Hangup>`, and `<Connect><Stream>` — a bidirectional Media Stream to the voice plane
(infra_local/sandbox_media_stream.py) on which the scripted callee speaks (infra_local/sandbox_callee_voice.py) and
each of its lines is registered for the voice plane's stand-in STT (infra_local/sandbox_callee_lines.py). When the
voice plane closes the socket the TwiML goes on: `<Connect action>` is posted (Twilio's standard parameters) and
its answer played — a `<Dial>` to a sandbox human (a warm transfer: infra_local/sandbox_transfers.py), or
`<Hangup/>`; without an action the call ends `completed`. A call
that asked for answering-machine detection gets the `amd` webhook (Twilio's async AMD) `amd_seconds` after the
answer: `machine_end_beep` for an answering machine, `human` otherwise.

Everything outside is injected (the HTTP post, the socket, the sleep, the clock, the timer), so tests drive a whole
call without a server or real time.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from infra_local.sandbox_callee_lines import CalleeLineRegistry
from infra_local.sandbox_callee_voice import CalleeTimings, CalleeVoice, Render
from infra_local.sandbox_media_stream import (
    Connect,
    MediaStreamSession,
    StreamRequest,
    StreamUnavailable,
    open_websocket,
)
from infra_local.sandbox_transfers import SandboxTransfers, human_answers, talk_seconds
from shared.conversation.sandbox_callees import ScriptedCallee, callee_for
from shared.platform import clock

ACCOUNT_SID = "ACsandbox"
API_VERSION = "2010-04-01"
#: Close codes of a voice plane that would not (or could not) serve the stream.
REFUSED_CLOSE_CODES = {1008: "refused (policy violation)", 1011: "could not serve it (internal error)"}

#: (status, body) of a webhook POST with these form parameters.
Post = Callable[[str, dict[str, str]], tuple[int, str]]


class Cancel(Protocol):
    def cancel(self) -> None: ...


#: Run a function after a delay, on its own thread (AMD's webhook must not stall the call's audio).
Schedule = Callable[[float, Callable[[], None]], Cancel]


def start_timer(delay: float, function: Callable[[], None]) -> Cancel:
    timer = threading.Timer(delay, function)
    timer.daemon = True
    timer.start()
    return timer


@dataclass(frozen=True)
class CarrierTimings:
    ring_seconds: float = 0.4  # ringing before the callee answers (or not)
    reply_after_quiet_seconds: float = CalleeTimings.reply_after_quiet_seconds  # the callee's wait for its turn
    barge_in_after_seconds: float = CalleeTimings.barge_in_after_seconds
    amd_seconds: float = 1.5  # answer → the async AMD webhook
    pause_scale: float = 0.2  # <Pause length=N> sleeps N × this
    transfer_talk_seconds: float = 2.0  # a sandbox human who answers a transfer talks this long, then hangs up

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> CarrierTimings:
        defaults = cls()
        return cls(
            ring_seconds=float(environ.get("SANDBOX_CARRIER_RING_SECONDS", defaults.ring_seconds)),
            reply_after_quiet_seconds=float(environ.get("SANDBOX_CARRIER_TURN_SECONDS",
                                                        defaults.reply_after_quiet_seconds)),
            barge_in_after_seconds=float(environ.get("SANDBOX_CARRIER_BARGE_IN_SECONDS",
                                                     defaults.barge_in_after_seconds)),
            amd_seconds=float(environ.get("SANDBOX_CARRIER_AMD_SECONDS", defaults.amd_seconds)),
            pause_scale=float(environ.get("SANDBOX_CARRIER_PAUSE_SCALE", defaults.pause_scale)),
            transfer_talk_seconds=float(environ.get("SANDBOX_CARRIER_TRANSFER_TALK_SECONDS",
                                                    defaults.transfer_talk_seconds)),
        )

    @property
    def callee(self) -> CalleeTimings:
        return CalleeTimings(reply_after_quiet_seconds=self.reply_after_quiet_seconds,
                             barge_in_after_seconds=self.barge_in_after_seconds)


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
    amd_url: str | None = None  # where the async AMD result goes (machine detection only)

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
                   machine_detection=bool(payload.get("machine_detection", True)), script=script,
                   amd_url=str(payload["amd_url"]) if payload.get("amd_url") else None)


@dataclass
class CallRecord:
    """One call as `GET /_sandbox/carrier/calls` shows it; `SimulatedCall` fills it in as the call goes.

    `transcript` is what the callee heard and said, in order, `at_ms` from the answer: the callee's lines
    (`speaker` callee, `text`), the agent's utterances on the stream (`speaker` agent, `duration_ms`, `interrupted`
    when the voice plane cleared them: the carrier hears sound, not words) and any `<Say>` (`speaker` agent, `text`).
    """

    sid: str
    call_id: str
    to: str
    from_: str
    status: str = "queued"
    answered_by: str | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    stream: dict[str, Any] | None = None
    duration_seconds: int = 0
    error: str | None = None
    placed_at: str = field(default_factory=lambda: clock.now().isoformat(timespec="seconds"))
    #: The warm transfer's `<Dial>`: {"to", "status" (DialCallStatus), "whisper", "duration_seconds"}.
    transfer: dict[str, Any] | None = None

    def said(self, speaker: str, text: str, at_ms: int | None = None) -> None:
        self.transcript.append({"speaker": speaker, "text": text, **({"at_ms": at_ms} if at_ms is not None else {})})

    def as_json(self) -> dict[str, Any]:
        return {"sid": self.sid, "call_id": self.call_id, "to": self.to, "from": self.from_, "status": self.status,
                "answered_by": self.answered_by, "transcript": [dict(line) for line in self.transcript],
                "stream": dict(self.stream) if self.stream else None, "duration_seconds": self.duration_seconds,
                "error": self.error, "placed_at": self.placed_at,
                "transfer": dict(self.transfer) if self.transfer else None}


class CallEnded(Exception):
    """The TwiML hung up, or the time limit passed."""


class WebhookFailed(Exception):
    """Our webhook answered non-2xx, unparsable TwiML, or nothing: the call fails."""


def callee_script(request: CallRequest) -> ScriptedCallee:
    """The scripted callee: the one the dialer sent, else the one the number's last digit names."""
    if not request.script:
        return callee_for(request.to)
    script = dict(request.script)
    script["lines"] = tuple(script.get("lines") or ())
    return ScriptedCallee(**script)


class SimulatedCall:
    """One call from ringing to its final status, playing the TwiML our voice webhook answers."""

    def __init__(self, request: CallRequest, record: CallRecord, *, post: Post, sleep: Callable[[float], None],
                 clock: Callable[[], float] = time.monotonic, timings: CarrierTimings = CarrierTimings(),
                 connect: Connect = open_websocket, callee_lines: CalleeLineRegistry | None = None,
                 render: Render | None = None, schedule: Schedule = start_timer,
                 transfers: SandboxTransfers | None = None, carrier_url: str = "") -> None:
        """`transfers`: where sandbox humans' whispers and the transfer legs' recordings are kept; `carrier_url`:
        the carrier's own URL (a recording's `RecordingUrl` is under it)."""
        self.request = request
        self.record = record
        self._post = post
        self._sleep = sleep
        self._clock = clock
        self._timings = timings
        self._connect = connect
        self._callee_lines = callee_lines if callee_lines is not None else CalleeLineRegistry()
        self._render = render
        self._schedule = schedule
        self._callee = callee_script(request)
        self._sequence = itertools.count()
        self._answered_at: float | None = None
        self._transfers = transfers if transfers is not None else SandboxTransfers()
        self._carrier_url = carrier_url.rstrip("/")
        self._lines_said = 0  # the callee's lines so far: a stream after a transfer goes on from there

    def run(self) -> CallRecord:
        self._status("ringing")
        self._sleep(self._timings.ring_seconds)
        if self._callee.busy:
            return self._finish("busy")
        if not self._callee.answers:
            return self._finish("no-answer")
        self._answered_at = self._clock()
        self.record.answered_by = "machine_end_beep" if self._callee.machine else "human"
        self._status("in-progress")
        amd = self._schedule(self._timings.amd_seconds, self._post_amd) if self._wants_amd() else None
        try:
            self._play(self.request.voice_url, self._fetch(self.request.voice_url))
        except CallEnded:
            pass
        except WebhookFailed as failure:
            self.record.error = str(failure)
            sys.stderr.write(f"[sandbox carrier] call {self.record.sid} failed: {failure}\n")
            return self._finish("failed")
        finally:
            if amd is not None:
                amd.cancel()  # a call over before detection finished gets no result
        return self._finish("completed")

    # --- Answering-machine detection (Twilio's async AMD) ---

    def _wants_amd(self) -> bool:
        return self.request.machine_detection and self.request.amd_url is not None

    def _post_amd(self) -> None:
        params = {**self._call_params("in-progress"), "AnsweredBy": self.record.answered_by or "unknown",
                  "MachineDetectionDuration": str(round(self._timings.amd_seconds * 1000))}
        try:
            code, _ = self._post(self.request.amd_url, params)
        except WebhookFailed as failure:
            code = 0
            sys.stderr.write(f"[sandbox carrier] AMD webhook of {self.record.sid}: {failure}\n")
        if not 200 <= code < 300:
            sys.stderr.write(f"[sandbox carrier] AMD webhook of {self.record.sid} answered {code}\n")

    # --- TwiML ---

    def _fetch(self, url: str, extra: dict[str, str] | None = None) -> list[ElementTree.Element]:
        status, body = self._post(url, {**self._call_params("in-progress"), **(extra or {})})
        if not 200 <= status < 300:
            raise WebhookFailed(f"{_path_of(url)} answered {status}")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as error:
            raise WebhookFailed(f"{_path_of(url)} answered invalid TwiML: {error}") from error
        if root.tag != "Response":
            raise WebhookFailed(f"{_path_of(url)} answered <{root.tag}>, not <Response>")
        return list(root)

    def _play(self, url: str, verbs: list[ElementTree.Element]) -> None:
        """Play the verbs in order; the call ends after the last one (or at a <Hangup>)."""
        for verb in verbs:
            self._check_time_limit()
            if verb.tag in ("Say", "Play"):
                self._speak(verb)
            elif verb.tag == "Pause":
                self._sleep(float(verb.get("length", "1")) * self._timings.pause_scale)
            elif verb.tag == "Connect" and verb.find("Stream") is not None:
                self._stream(url, verb.find("Stream"))
                if verb.get("action"):  # Twilio asks the action what next; its answer replaces the rest
                    action = urllib.parse.urljoin(url, verb.get("action", ""))
                    self._play(action, self._fetch(action))
                    return
            elif verb.tag == "Dial" and verb.find("Number") is not None:
                self._dial(url, verb)
                return  # the <Dial>'s action answered what follows
            elif verb.tag in ("Hangup", "Reject"):
                return
            else:
                sys.stderr.write(f"[sandbox carrier] call {self.record.sid}: <{verb.tag}> is not simulated\n")

    def _speak(self, verb: ElementTree.Element) -> None:
        text = (verb.text or "").strip()
        if verb.tag == "Play":
            text = f"(plays {text})"
        if text:
            self.record.said("agent", text, self._offset_ms())

    # --- <Connect><Stream>: the conversation, on a media stream ---

    def _stream(self, url: str, stream: ElementTree.Element) -> None:
        parameters = {parameter.get("name", ""): parameter.get("value", "") for parameter in stream.iter("Parameter")}
        request = StreamRequest(url=urllib.parse.urljoin(url, stream.get("url", "")), parameters=parameters)
        registry_key = parameters.get("call_id") or self.request.call_id
        voice = CalleeVoice(self._callee, on_line=lambda line: self._callee_says(registry_key, line),
                            render=self._render, timings=self._timings.callee, first_line=self._lines_said)
        session = MediaStreamSession(
            request, callee=voice, call_sid=self.record.sid, account_sid=ACCOUNT_SID, connect=self._connect,
            clock=self._clock, sleep=self._sleep, deadline=self._answered_at + self.request.time_limit_seconds,
            on_agent_utterance=self.record.transcript.append, started_at=self._answered_at)
        try:
            result = session.run()
        except StreamUnavailable as error:  # Twilio goes on with the TwiML when a stream cannot open
            self.record.error = f"media stream to {_path_of(request.url)} failed: {error}"
            sys.stderr.write(f"[sandbox carrier] call {self.record.sid}: {self.record.error}\n")
            return
        self.record.stream = {"ended_by": result.ended_by, "close_code": result.close_code,
                              "clears": result.clears, "marks": result.marks}
        if result.close_code in REFUSED_CLOSE_CODES:
            self.record.error = (f"the voice plane {REFUSED_CLOSE_CODES[result.close_code]}: "
                                 f"{result.close_code} {result.close_reason}".strip())
        if result.ended_by == "time_limit":
            self.record.error = "time limit reached: the carrier hung up"
            raise CallEnded

    # --- <Dial><Number>: a warm transfer to a sandbox human ---

    def _dial(self, url: str, dial: ElementTree.Element) -> None:
        number = dial.find("Number")
        to = (number.text or "").strip() if number is not None else ""
        status, whisper, seconds = human_answers(to), "", 0
        child = {**self._call_params("in-progress"), "CallSid": f"{self.record.sid}T", "To": to,
                 "Direction": "outbound-dial", "ParentCallSid": self.record.sid}
        self._sleep(self._timings.ring_seconds)
        if status == "completed":
            if number is not None and number.get("url"):  # the whisper, heard before the bridge
                whisper = self._whisper(urllib.parse.urljoin(url, number.get("url", "")), child)
            started = self._clock()
            self._sleep(self._timings.transfer_talk_seconds)
            seconds = talk_seconds(started, self._clock())
        self._transfers.heard(self.request.call_id, to, whisper, answered=status == "completed")
        self.record.transfer = {"to": to, "status": status, "whisper": whisper, "duration_seconds": seconds}
        result = {"DialCallStatus": status, "DialCallDuration": str(seconds), "DialCallSid": child["CallSid"],
                  "DialBridged": "true" if status == "completed" else "false"}
        action = urllib.parse.urljoin(url, dial.get("action", "")) if dial.get("action") else None
        verbs = self._fetch(action, result) if action else []
        if status == "completed" and dial.get("recordingStatusCallback"):
            self._post_recording(urllib.parse.urljoin(url, dial.get("recordingStatusCallback", "")), seconds)
        if action:
            self._play(action, verbs)

    def _whisper(self, url: str, params: dict[str, str]) -> str:
        status, body = self._post(url, params)
        if not 200 <= status < 300:
            raise WebhookFailed(f"{_path_of(url)} answered {status}")
        try:
            return " ".join((verb.text or "").strip() for verb in ElementTree.fromstring(body) if verb.tag == "Say")
        except ElementTree.ParseError as error:
            raise WebhookFailed(f"{_path_of(url)} answered invalid TwiML: {error}") from error

    def _post_recording(self, url: str, seconds: int) -> None:
        sid = f"RE{self.record.sid[2:]}"
        recording_url = f"{self._carrier_url}/{self._transfers.keep_recording(sid, seconds)}"
        params = {"AccountSid": ACCOUNT_SID, "CallSid": self.record.sid, "RecordingSid": sid,
                  "RecordingUrl": recording_url, "RecordingStatus": "completed", "RecordingDuration": str(seconds),
                  "RecordingChannels": "2", "RecordingSource": "DialVerb"}
        try:
            code, _ = self._post(url, params)
        except WebhookFailed as failure:
            code = 0
            sys.stderr.write(f"[sandbox carrier] recording callback of {self.record.sid}: {failure}\n")
        if not 200 <= code < 300:
            sys.stderr.write(f"[sandbox carrier] recording callback of {self.record.sid} answered {code}\n")

    def _callee_says(self, call_id: str, line: str) -> None:
        self._lines_said += 1
        self._callee_lines.started(call_id, line)
        self.record.said("callee", line, self._offset_ms())

    def _check_time_limit(self) -> None:
        if self._answered_at is not None and self._elapsed() >= self.request.time_limit_seconds:
            self.record.error = "time limit reached: the carrier hung up"
            raise CallEnded

    # --- Status callbacks ---

    def _elapsed(self) -> float:
        return self._clock() - self._answered_at if self._answered_at is not None else 0.0

    def _offset_ms(self) -> int:
        return round(self._elapsed() * 1000)

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


