"""Exotel's side of a bidirectional stream (the Voicebot applet), as the tests play it: `connected`, `start` (with the
stream and call sids, the custom parameters and the media format), then `media` frames of 100 ms of 8 kHz 16-bit
little-endian PCM (base64) in real time, and `stop`; everything the voice plane sends back (`media`, `mark`,
`clear`) is recorded with its arrival time and payload size.

The callee's lines are the μ-law fixtures Twilio carries (tests/voice/fixtures), decoded to PCM here: one voice
for both carriers.
"""

from __future__ import annotations

import array
import asyncio
import base64
import json
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.voice.twilio_callee import Outbound, TwilioCallee, _ulaw_to_linear

FRAME_SECONDS = 0.1  # Exotel streams ~100 ms a message
FRAME_BYTES = 1600  # 100 ms of 8 kHz 16-bit PCM
AUDIBLE = 500  # a sample louder than this is sound, not the transport's silence
_LINEAR = array.array("h", (_ulaw_to_linear(byte) for byte in range(256)))
PCM_FORMAT = {"encoding": "audio/x-raw", "sample_rate": "8000", "bit_rate": "16"}


def pcm_of(ulaw: bytes) -> bytes:
    """8 kHz μ-law → 16-bit little-endian PCM."""
    return array.array("h", (_LINEAR[byte] for byte in ulaw)).tobytes()


@dataclass
class ExotelCallee(TwilioCallee):
    stream_sid: str = "a7f1c2d3e4b5a6978812"
    call_sid: str = "b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8"
    account_sid: str = "callfunnel1"
    #: The stream sid of every message the voice plane sent (Exotel routes them by it).
    sent_stream_sids: set = field(default_factory=set)

    async def open(self, custom_parameters: dict[str, str] | None = None,
                   media_format: dict[str, str] | None = None) -> None:
        self._socket = await connect(self.url, max_size=None)
        self._reader = asyncio.create_task(self._read())
        await self._send({"event": "connected"})
        await self._send({"event": "start", "sequence_number": self._next(), "stream_sid": self.stream_sid, "start": {
            "stream_sid": self.stream_sid, "call_sid": self.call_sid, "account_sid": self.account_sid,
            "from": "+919812345678", "to": "+918047491899", "custom_parameters": custom_parameters or {},
            "media_format": media_format or PCM_FORMAT}})

    async def silence(self, seconds: float) -> None:
        await self._stream(b"\xff" * int(seconds * 8000))  # μ-law silence, decoded to zeros on the way

    async def stop(self) -> None:
        await self._send({"event": "stop", "sequence_number": self._next(), "stream_sid": self.stream_sid,
                          "stop": {"call_sid": self.call_sid, "account_sid": self.account_sid, "reason": "callended"}})

    async def _stream(self, audio: bytes) -> None:
        pcm, started = pcm_of(audio), time.monotonic()
        for index in range(0, len(pcm), FRAME_BYTES):
            chunk = pcm[index:index + FRAME_BYTES]
            await self._send({"event": "media", "sequence_number": self._next(), "stream_sid": self.stream_sid,
                              "media": {"chunk": str(index // FRAME_BYTES + 1), "timestamp": str(index // 16),
                                        "payload": base64.b64encode(chunk).decode()}})
            delay = started + (index // FRAME_BYTES + 1) * FRAME_SECONDS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                message = json.loads(raw)
                payload = message.get("media", {}).get("payload", "") if message.get("event") == "media" else ""
                audio = base64.b64decode(payload) if payload else b""
                samples = array.array("h", audio[: len(audio) // 2 * 2])
                self.received.append(Outbound(message.get("event", ""), time.monotonic(), len(audio),
                                              audible=any(abs(sample) > AUDIBLE for sample in samples)))
                self.sent_stream_sids.add(message.get("stream_sid"))
        except ConnectionClosed:
            pass
        self.close_code = self._socket.close_code

