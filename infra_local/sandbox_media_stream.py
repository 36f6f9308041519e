"""The sandbox carrier's side of a bidirectional Twilio Media Stream (`<Connect><Stream>`), in real time.

It opens the WebSocket, sends Twilio's `connected` and `start` (streamSid, callSid, accountSid, the `<Parameter>`s
as customParameters, μ-law/8000/1), then one `media` frame of 20 ms (160 bytes of μ-law, base64) every 20 ms for
the whole call — the callee's voice, or silence when it is quiet, as Twilio sends. What the voice plane sends back
is played out in real time from a buffer, as Twilio plays it to the callee: `media` is queued, `clear` drops what
is queued (barge-in) and `mark` is echoed once the audio queued before it has played (or was cleared). The
stream ends when the voice plane closes the socket, or when the call's time limit passes (then the carrier sends
`stop` and closes).

Everything is injected (the connection, the clock, the sleep), so tests drive a stream without a server or real
time; `open_websocket` is the real connection (the `websockets` library's sync client: one thread per call).
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from infra_local.sandbox_callee_voice import FRAME_BYTES, FRAME_SECONDS, CalleeVoice, is_audible

#: A busy machine can fall behind the 20 ms schedule; past this lag the schedule restarts from now instead of
#: bursting the backlog (Twilio never sends a burst either).
MAX_LAG_SECONDS = 0.5
#: The agent's audio quiet this long ends one of its utterances in the carrier's record.
AGENT_PAUSE_SECONDS = 0.5
OPEN_TIMEOUT_SECONDS = 10.0
CLOSE_TIMEOUT_SECONDS = 2.0


class StreamConnection(Protocol):
    """The part of `websockets.sync.client.ClientConnection` the stream uses."""

    def send(self, message: str) -> None: ...

    def recv(self, timeout: float | None = None) -> str | bytes: ...

    def close(self, code: int = 1000, reason: str = "") -> None: ...


class StreamClosed(Exception):
    """The voice plane closed the socket (or it broke): `code` is its close code, if any."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"closed with {code}: {reason}" if code else "closed")
        self.code, self.reason = code, reason


class StreamUnavailable(Exception):
    """The socket could not be opened (refused, no WebSocket there, a failed handshake, a timeout)."""


Connect = Callable[[str], StreamConnection]


@dataclass(frozen=True)
class StreamRequest:
    """What `<Connect><Stream url>` asked for: where to connect, and its `<Parameter>`s."""

    url: str
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class StreamResult:
    ended_by: str  # "voice_plane" (it closed the socket) or "time_limit" (the carrier sent stop and closed)
    close_code: int | None = None
    close_reason: str = ""
    clears: int = 0
    marks: int = 0


class PlayoutBuffer:
    """The agent's audio waiting to be played to the callee, and the marks placed in it."""

    def __init__(self) -> None:
        self._audio = bytearray()
        self._queued = 0  # bytes ever queued
        self._played = 0  # bytes ever played (or dropped by a clear)
        self._marks: deque[tuple[int, str]] = deque()

    def add_media(self, audio: bytes) -> None:
        self._audio += audio
        self._queued += len(audio)

    def add_mark(self, name: str) -> None:
        self._marks.append((self._queued, name))

    def clear(self) -> list[str]:
        """Drop everything queued; the marks it held are answered at once (Twilio sends them back on a clear)."""
        self._audio.clear()
        self._played = self._queued
        return self._due_marks()

    def play_frame(self) -> tuple[bytes, list[str]]:
        """The next 20 ms the callee hears (silence when nothing is queued), and the marks now played."""
        frame = bytes(self._audio[:FRAME_BYTES])
        del self._audio[:FRAME_BYTES]
        self._played += len(frame)
        return frame.ljust(FRAME_BYTES, b"\xff"), self._due_marks()

    def _due_marks(self) -> list[str]:
        due = []
        while self._marks and self._marks[0][0] <= self._played:
            due.append(self._marks.popleft()[1])
        return due


class AgentSpeechLog:
    """When the agent spoke, as the callee heard it: utterances with their start and length, and interruptions."""

    def __init__(self, on_utterance: Callable[[dict[str, Any]], None]) -> None:
        self._on_utterance = on_utterance
        self._current: dict[str, Any] | None = None
        self._last_audible = 0.0

    def heard(self, at_seconds: float, audible: bool) -> None:
        if audible:
            if self._current is None:
                self._current = {"speaker": "agent", "at_ms": round(at_seconds * 1000), "duration_ms": 0,
                                 "interrupted": False}
                self._on_utterance(self._current)
            self._last_audible = at_seconds
            self._current["duration_ms"] = round((at_seconds + FRAME_SECONDS) * 1000) - self._current["at_ms"]
        elif self._current is not None and at_seconds - self._last_audible >= AGENT_PAUSE_SECONDS:
            self._current = None

    def cleared(self) -> None:
        """The voice plane cleared the playout buffer: the utterance the callee was hearing is cut short."""
        if self._current is not None:
            self._current["interrupted"] = True
            self._current = None


class MediaStreamSession:
    """One `<Connect><Stream>`: from opening the socket to its end."""

    def __init__(self, request: StreamRequest, *, callee: CalleeVoice, call_sid: str, account_sid: str,
                 connect: Connect, clock: Callable[[], float], sleep: Callable[[float], None], deadline: float,
                 on_agent_utterance: Callable[[dict[str, Any]], None], started_at: float | None = None) -> None:
        self._request = request
        self._callee = callee
        self._call_sid = call_sid
        self._account_sid = account_sid
        self._connect = connect
        self._clock = clock
        self._sleep = sleep
        self._deadline = deadline
        self._agent = AgentSpeechLog(on_agent_utterance)
        self._origin = started_at  # offsets in the record count from here (the answer)
        self._buffer = PlayoutBuffer()
        self._stream_sid = "MZ" + secrets.token_hex(16)
        self._sequence = 0
        self._chunk = 0
        self._result = StreamResult(ended_by="voice_plane")

    def run(self) -> StreamResult:
        """Stream until the voice plane closes the socket or the time limit passes; StreamUnavailable when the
        socket cannot be opened."""
        self._callee.prepare()
        connection = self._connect(self._request.url)
        self._origin = self._clock() if self._origin is None else self._origin
        try:
            self._send(connection, {"event": "connected", "protocol": "Call", "version": "1.0.0"})
            self._send(connection, {"event": "start", "sequenceNumber": self._next(), "streamSid": self._stream_sid,
                                    "start": {"accountSid": self._account_sid, "streamSid": self._stream_sid,
                                              "callSid": self._call_sid, "tracks": ["inbound"],
                                              "customParameters": dict(self._request.parameters),
                                              "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                                              "channels": 1}}})
            self._stream(connection)
        except StreamClosed as closed:
            self._result.close_code, self._result.close_reason = closed.code, closed.reason
        finally:
            connection.close()
        return self._result

    def _stream(self, connection: StreamConnection) -> None:
        next_tick = self._clock()
        while True:
            now = self._clock()
            if now >= self._deadline:
                self._send(connection, {"event": "stop", "sequenceNumber": self._next(),
                                        "streamSid": self._stream_sid,
                                        "stop": {"accountSid": self._account_sid, "callSid": self._call_sid}})
                self._result.ended_by = "time_limit"
                return
            self._receive(connection)
            agent_frame, played_marks = self._buffer.play_frame()
            audible = is_audible(agent_frame)
            self._agent.heard(now - self._origin, audible)
            self._send_media(connection, self._callee.frame(now - self._origin, audible))
            self._echo_marks(connection, played_marks)
            next_tick += FRAME_SECONDS
            delay = next_tick - self._clock()
            if delay > 0:
                self._sleep(delay)
            elif delay < -MAX_LAG_SECONDS:
                next_tick = self._clock()

    def _receive(self, connection: StreamConnection) -> None:
        """Everything the voice plane sent since the last tick."""
        while True:
            try:
                raw = connection.recv(timeout=0)
            except TimeoutError:
                return
            try:
                message = json.loads(raw)
            except (TypeError, ValueError):
                continue  # Twilio ignores what it cannot parse
            event = message.get("event") if isinstance(message, dict) else None
            if event == "media":
                payload = (message.get("media") or {}).get("payload") or ""
                self._buffer.add_media(base64.b64decode(payload))
            elif event == "mark":
                self._buffer.add_mark(str((message.get("mark") or {}).get("name", "")))
            elif event == "clear":
                self._result.clears += 1
                self._agent.cleared()
                self._echo_marks(connection, self._buffer.clear())

    def _echo_marks(self, connection: StreamConnection, names: list[str]) -> None:
        for name in names:
            self._result.marks += 1
            self._send(connection, {"event": "mark", "sequenceNumber": self._next(), "streamSid": self._stream_sid,
                                    "mark": {"name": name}})

    def _send_media(self, connection: StreamConnection, audio: bytes) -> None:
        self._chunk += 1
        self._send(connection, {"event": "media", "sequenceNumber": self._next(), "streamSid": self._stream_sid,
                                "media": {"track": "inbound", "chunk": str(self._chunk),
                                          "timestamp": str((self._chunk - 1) * 20),
                                          "payload": base64.b64encode(audio).decode("ascii")}})

    @staticmethod
    def _send(connection: StreamConnection, message: dict[str, Any]) -> None:
        connection.send(json.dumps(message))

    def _next(self) -> str:
        self._sequence += 1
        return str(self._sequence)


# --- The real socket ---


class _WebsocketConnection:
    """`websockets`' sync client, with its close reported as `StreamClosed`."""

    def __init__(self, url: str) -> None:
        from websockets.exceptions import WebSocketException
        from websockets.sync.client import connect

        self._open = contextlib.ExitStack()  # websockets wants its connection used as a context manager
        try:
            self._socket = self._open.enter_context(connect(
                url, open_timeout=OPEN_TIMEOUT_SECONDS, close_timeout=CLOSE_TIMEOUT_SECONDS, max_size=None,
                compression=None, proxy=None, legacy=False))
        except (OSError, TimeoutError, WebSocketException) as error:
            raise StreamUnavailable(f"{type(error).__name__}: {error}") from error

    def send(self, message: str) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            self._socket.send(message)
        except ConnectionClosed as closed:
            raise self._closed(closed) from closed

    def recv(self, timeout: float | None = None) -> str | bytes:
        from websockets.exceptions import ConnectionClosed

        try:
            return self._socket.recv(timeout=timeout)
        except ConnectionClosed as closed:
            raise self._closed(closed) from closed

    def close(self, code: int = 1000, reason: str = "") -> None:
        self._socket.close(code, reason)
        self._open.close()

    @staticmethod
    def _closed(closed: Exception) -> StreamClosed:
        received = getattr(closed, "rcvd", None)
        return StreamClosed(received.code if received else None, received.reason if received else "")


def open_websocket(url: str) -> StreamConnection:
    """The WebSocket to the voice plane; StreamUnavailable when it cannot be opened."""
    return _WebsocketConnection(url)
