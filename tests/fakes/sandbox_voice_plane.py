"""The voice plane's end of a Twilio Media Stream, as a fake connection for the sandbox carrier's unit tests: no
socket, no real time — it lives on the test's fake clock.

It records everything the carrier sends, and talks like a simple agent: its opener as soon as the stream starts,
then a reply each time the callee has spoken and been quiet for `reply_delay_seconds`; after `replies` replies have
played it closes the socket (as the voice plane does when the call is over). Audio is sent the way pipecat's
transport sends it — ahead of real time, so the carrier buffers it — with a `mark` after each utterance. When the
callee talks over the agent it sends `clear` (a barge-in), as pipecat's serializer turns an interruption into one.
`script` adds messages to send at given times instead (seconds from the start message).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra_local.sandbox_media_stream import StreamClosed, StreamUnavailable

FRAME_BYTES, FRAME_SECONDS = 160, 0.02
LOUD = b"\x00"  # μ-law of the loudest negative sample: audible
SILENT = b"\xff"


def loud(seconds: float) -> bytes:
    return LOUD * round(seconds * 8000)


@dataclass
class FakeVoicePlane:
    clock: Callable[[], float]
    opener_seconds: float = 1.0
    reply_seconds: float = 1.0
    reply_delay_seconds: float = 0.3
    replies: int = 1
    close_code: int = 1000
    barge_in_clears: bool = True
    script: list[tuple[float, Any]] = field(default_factory=list)  # (at, message dict | ("close", code))
    url: str | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    closed_by_carrier: bool = False
    sent: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    _outbox: list[Any] = field(default_factory=list)
    _started_at: float | None = None
    _agent_until: float = 0.0  # when the audio sent so far will have played at the carrier
    _callee_last_audible: float | None = None
    _replied: int = 0
    _closing_at: float | None = None
    _cleared_this_turn: bool = False

    # --- what the carrier calls ---

    def connect(self, url: str) -> FakeVoicePlane:
        self.url = url
        return self

    def send(self, message: str) -> None:
        event = json.loads(message)
        self.received.append(event)
        now = self.clock()
        if event["event"] == "start":
            self._started_at = now
            if self.opener_seconds:
                self._speak(now, self.opener_seconds, "opener")
        elif event["event"] == "media":
            self._hear(now, base64.b64decode(event["media"]["payload"]))

    def recv(self, timeout: float | None = None) -> str:
        now = self.clock()
        for at, message in list(self.script):
            if self._started_at is not None and now - self._started_at >= at:
                self.script.remove((at, message))
                self._outbox.append(message)
        if self._closing_at is not None and now >= self._closing_at and not self._outbox:
            raise StreamClosed(self.close_code, "the call is over")
        if not self._outbox:
            raise TimeoutError
        message = self._outbox.pop(0)
        if isinstance(message, tuple) and message[0] == "close":
            raise StreamClosed(message[1], "closed")
        self.sent.append((now, message))
        return json.dumps(message)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_by_carrier = True

    # --- the agent ---

    def _speak(self, now: float, seconds: float, mark: str) -> None:
        audio = loud(seconds)
        for index in range(0, len(audio), FRAME_BYTES):
            self._outbox.append({"event": "media", "streamSid": "MZ",
                                 "media": {"payload": base64.b64encode(audio[index:index + FRAME_BYTES]).decode()}})
        self._outbox.append({"event": "mark", "streamSid": "MZ", "mark": {"name": mark}})
        self._agent_until = max(now, self._agent_until) + seconds
        self._cleared_this_turn = False

    def _hear(self, now: float, audio: bytes) -> None:
        if audio.strip(SILENT):
            if now < self._agent_until and self.barge_in_clears and not self._cleared_this_turn:
                self._outbox.append({"event": "clear", "streamSid": "MZ"})
                self._agent_until, self._cleared_this_turn = now, True
            self._callee_last_audible = now
            return
        quiet_since = self._callee_last_audible
        if quiet_since is None or now - quiet_since < self.reply_delay_seconds:
            return
        self._callee_last_audible = None
        if self._replied < self.replies:
            self._replied += 1
            self._speak(now, self.reply_seconds, f"reply-{self._replied}")
            if self._replied == self.replies:
                self._closing_at = self._agent_until + 0.1


def unreachable(url: str) -> Any:
    raise StreamUnavailable("ConnectionRefusedError: [Errno 111] Connection refused")
