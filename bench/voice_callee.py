"""The carrier's side of one call for the voice-plane bench: Twilio Media Streams played as Twilio plays them.

`connected`, `start` (the media token and our call id as custom parameters), then one `media` message of 20 ms of
8 kHz μ-law every 20 ms for the whole call — speech while the callee talks, digital silence otherwise — each sent
once its 20 ms have been "captured" (at the end of its interval, as a carrier does). The schedule is one clock for
the whole call, so a late send (a busy harness) is recorded as the carrier's own lateness and never stretches the
audio. Each media message also carries `sent_at` (this machine's monotonic clock, which every process shares), so
the voice plane under test can measure how far behind real time it processes each frame.

Everything the voice plane sends back is recorded with its arrival time: `media` (and whether it carries sound),
`mark`, `clear`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law
FRAME_SECONDS = 0.02
ULAW_SILENCE = b"\xff" * FRAME_BYTES
LOUD = 500  # RMS of 16-bit samples above which a frame is speech
SPEECH_FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "voice" / "fixtures"


def _ulaw_to_linear(byte: int) -> int:
    byte = ~byte & 0xFF
    magnitude = (((byte & 0x0F) << 3) + 0x84) << ((byte >> 4) & 0x07)
    return 0x84 - magnitude if byte & 0x80 else magnitude - 0x84


_LINEAR = [_ulaw_to_linear(byte) for byte in range(256)]


@dataclass(frozen=True)
class Line:
    """A callee line as 20 ms μ-law frames (base64, ready to send) and where its speech starts and ends."""

    frames: tuple[str, ...]
    first_loud: int
    last_loud: int


def load_line(name: str) -> Line:
    audio = (SPEECH_FIXTURES / f"{name}.ulaw").read_bytes()
    chunks = [audio[index:index + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff")
              for index in range(0, len(audio), FRAME_BYTES)]
    loud = [index for index, chunk in enumerate(chunks)
            if (sum(_LINEAR[byte] ** 2 for byte in chunk) / FRAME_BYTES) ** 0.5 > LOUD]
    return Line(frames=tuple(base64.b64encode(chunk).decode() for chunk in chunks),
                first_loud=loud[0], last_loud=loud[-1])


SILENCE_PAYLOAD = base64.b64encode(ULAW_SILENCE).decode()


@dataclass
class Received:
    event: str
    at: float
    payload_bytes: int = 0
    audible: bool = False


@dataclass
class Callee:
    url: str
    call_id: str
    token: str
    stream_sid: str = "MZ00000000000000000000000000000001"
    received: list[Received] = field(default_factory=list)
    #: How late the carrier itself sent each frame against its real-time schedule (seconds).
    send_lateness: list[float] = field(default_factory=list)
    close_code: int | None = None
    _socket: ClientConnection | None = None
    _reader: asyncio.Task | None = None
    _frames_sent: int = 0
    _clock_start: float = 0.0

    async def open(self) -> None:
        self._socket = await connect(self.url, max_size=None)
        self._reader = asyncio.create_task(self._read())
        await self._socket.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await self._socket.send(json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": self.stream_sid,
                                            "start": {"accountSid": "AC" + "0" * 32, "streamSid": self.stream_sid,
                                                      "callSid": "CA" + self.call_id[-32:].rjust(32, "0"),
                                                      "tracks": ["inbound"],
                                                      "customParameters": {"token": self.token,
                                                                           "call_id": self.call_id},
                                                      "mediaFormat": {"encoding": "audio/x-mulaw",
                                                                      "sampleRate": 8000, "channels": 1}}}))
        self._clock_start = time.monotonic()

    async def say(self, line: Line) -> tuple[float, float]:
        """Speak the line in real time; when its speech started and ended (the carrier's clock)."""
        started = ended = 0.0
        for index, payload in enumerate(line.frames):
            sent = await self._send_frame(payload)
            if index == line.first_loud:
                started = sent - FRAME_SECONDS  # the speech began in the interval this frame captured
            if index == line.last_loud:
                ended = sent
        return started, ended

    async def listen_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Stream silence in real time (a carrier never stops) until `done()` or the timeout."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline or self._socket_closed():
                return done()
            await self._send_frame(SILENCE_PAYLOAD)
        return True

    async def pause(self, seconds: float) -> None:
        for _ in range(round(seconds / FRAME_SECONDS)):
            await self._send_frame(SILENCE_PAYLOAD)

    def audible_after(self, moment: float) -> list[Received]:
        return [message for message in self.received if message.audible and message.at > moment]

    def quiet_for(self, seconds: float) -> bool:
        """No agent sound has arrived for this long."""
        last = next((message.at for message in reversed(self.received) if message.audible), 0.0)
        return time.monotonic() - last > seconds

    def clears_after(self, moment: float) -> list[float]:
        return [message.at for message in self.received if message.event == "clear" and message.at > moment]

    async def close(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._socket.send(json.dumps({"event": "stop", "streamSid": self.stream_sid}))
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _send_frame(self, payload: str) -> float:
        self._frames_sent += 1
        due = self._clock_start + self._frames_sent * FRAME_SECONDS  # the end of the interval it captured
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.monotonic()
        self.send_lateness.append(max(0.0, sent - due))
        message = (f'{{"event":"media","sequenceNumber":"{self._frames_sent + 1}","streamSid":"{self.stream_sid}",'
                   f'"media":{{"track":"inbound","chunk":"{self._frames_sent}",'
                   f'"timestamp":"{self._frames_sent * 20}","payload":"{payload}"}},"sent_at":{sent!r}}}')
        with contextlib.suppress(ConnectionClosed):
            await self._socket.send(message)
        return sent

    def _socket_closed(self) -> bool:
        return self._reader is not None and self._reader.done()

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                at = time.monotonic()
                message = json.loads(raw)
                event = message.get("event", "")
                audio = base64.b64decode(message["media"]["payload"]) if event == "media" else b""
                self.received.append(Received(event, at, len(audio), audible=bool(audio.strip(b"\xff\x7f"))))
        except ConnectionClosed:
            pass
        self.close_code = self._socket.close_code
