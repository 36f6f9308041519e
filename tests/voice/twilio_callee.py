"""Twilio's side of a bidirectional Media Stream, as the tests play it: `connected`, `start` (with the custom
parameters a `<Stream><Parameter>` carries), then `media` frames of 20 ms of 8 kHz μ-law in real time, and
`stop`; everything the voice plane sends back (`media`, `mark`, `clear`) is recorded with its arrival time.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law
FRAME_SECONDS = 0.02
ULAW_SILENCE = b"\xff"
FIXTURES = Path(__file__).parent / "fixtures"


def speech(name: str) -> bytes:
    """A callee line spoken by espeak-ng, as Twilio carries it (tests/voice/fixtures/make_speech_fixtures.py)."""
    return (FIXTURES / f"{name}.ulaw").read_bytes()


def _ulaw_to_linear(byte: int) -> int:
    byte = ~byte & 0xFF
    magnitude = (((byte & 0x0F) << 3) + 0x84) << ((byte >> 4) & 0x07)
    return 0x84 - magnitude if byte & 0x80 else magnitude - 0x84


def trailing_silence_seconds(audio: bytes, loud: int = 500) -> float:
    """How long the audio is quiet at its end (espeak-ng pads its clips): where the speech really stops."""
    for end in range(len(audio), 0, -FRAME_BYTES):
        frame = [_ulaw_to_linear(byte) for byte in audio[max(0, end - FRAME_BYTES):end]]
        if (sum(sample * sample for sample in frame) / len(frame)) ** 0.5 > loud:
            return (len(audio) - end) / 8000
    return len(audio) / 8000


@dataclass
class Outbound:
    event: str
    at: float
    payload_bytes: int = 0
    audible: bool = False  # μ-law other than digital silence (0xFF / 0x7F)
    audio: bytes = b""  # the μ-law payload of a `media` message


@dataclass
class TwilioCallee:
    url: str
    stream_sid: str = "MZ00000000000000000000000000000001"
    call_sid: str = "CA00000000000000000000000000000001"
    received: list[Outbound] = field(default_factory=list)
    close_code: int | None = None
    _socket: ClientConnection | None = None
    _reader: asyncio.Task | None = None
    _sequence: int = 0

    async def open(self, custom_parameters: dict[str, str] | None = None) -> None:
        self._socket = await connect(self.url, max_size=None)
        self._reader = asyncio.create_task(self._read())
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self._send({"event": "start", "sequenceNumber": self._next(), "streamSid": self.stream_sid, "start": {
            "accountSid": "AC00000000000000000000000000000001", "streamSid": self.stream_sid, "callSid": self.call_sid,
            "tracks": ["inbound"], "customParameters": custom_parameters or {},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}})

    async def say(self, audio: bytes, *, then_silence_seconds: float = 0.0) -> float:
        """Stream the audio (then silence) in real time; the monotonic time the speech ended."""
        await self._stream(audio)
        ended = time.monotonic()
        await self.silence(then_silence_seconds)
        return ended

    async def silence(self, seconds: float) -> None:
        await self._stream(ULAW_SILENCE * int(seconds / FRAME_SECONDS) * FRAME_BYTES)

    async def press(self, digit: str) -> None:
        """A key on the keypad, as Twilio reports it (`dtmf`, inbound track)."""
        await self._send({"event": "dtmf", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                          "dtmf": {"track": "inbound_track", "digit": digit}})

    async def stop(self) -> None:
        await self._send({"event": "stop", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                          "stop": {"accountSid": "AC00000000000000000000000000000001", "callSid": self.call_sid}})

    async def closed(self, timeout: float) -> int | None:
        """Wait for the voice plane to close the socket; its close code (None if it is still open)."""
        try:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        except TimeoutError:
            return None
        return self.close_code

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def media(self) -> list[Outbound]:
        return [message for message in self.received if message.event == "media"]

    def agent_audio(self) -> list[Outbound]:
        """The media frames that carry sound (the transport also sends silence while the agent is quiet)."""
        return [message for message in self.media() if message.audible]

    def heard(self) -> bytes:
        """Everything the voice plane played to the callee, as 8 kHz μ-law."""
        return b"".join(message.audio for message in self.media())

    def events(self, kind: str) -> list[Outbound]:
        return [message for message in self.received if message.event == kind]

    async def wait_for(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.02)
        return predicate()

    async def _stream(self, audio: bytes) -> None:
        started = time.monotonic()
        for index in range(0, len(audio), FRAME_BYTES):
            chunk = audio[index:index + FRAME_BYTES]
            await self._send({"event": "media", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                              "media": {"track": "inbound", "chunk": str(index // FRAME_BYTES + 1),
                                        "timestamp": str(int(index / 8)),
                                        "payload": base64.b64encode(chunk).decode()}})
            # Real time, on a schedule rather than a fixed sleep, so a busy machine does not stretch the audio.
            delay = started + (index // FRAME_BYTES + 1) * FRAME_SECONDS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _send(self, message: dict) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._socket.send(json.dumps(message))

    def _next(self) -> str:
        self._sequence += 1
        return str(self._sequence)

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                message = json.loads(raw)
                payload = message.get("media", {}).get("payload", "") if message.get("event") == "media" else ""
                audio = base64.b64decode(payload) if payload else b""
                self.received.append(Outbound(message.get("event", ""), time.monotonic(), len(audio),
                                              audible=bool(audio.strip(b"\xff\x7f")), audio=audio))
        except ConnectionClosed:
            pass
        self.close_code = self._socket.close_code
