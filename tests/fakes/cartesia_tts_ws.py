"""A local fake of Cartesia's streaming `wss://api.cartesia.ai/tts/websocket`, for `CartesiaTTSService(url=...)`.

Wire format as pipecat's Cartesia service speaks it: the client sends JSON generation requests
(`transcript`, `context_id`, `continue`, `voice`, `output_format`), a last one per context with `continue:
false` (flush), and `{"context_id", "cancel": true}` when interrupted. The server answers, per request,
`timestamps` and `chunk` messages (base64 raw PCM s16le at the requested sample rate) after
`first_audio_delay_seconds` (Cartesia's published time to first audio: ~90 ms), and `done` once a flushed
context has been spoken. Audio is a quiet tone, `seconds_per_word` long per word, sent in 20 ms chunks a
little faster than real time (as Cartesia does). Every request is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from tests.fakes.websocket_server import LocalWebSocketFake

CHUNK_SECONDS = 0.02


@dataclass
class TtsConnection:
    headers: dict[str, str]
    path: str = "/tts/websocket"
    requests: list[dict] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)  # monotonic, when each request arrived
    cancelled: set[str] = field(default_factory=set)


class FakeCartesiaTts(LocalWebSocketFake):
    def __init__(self, *, first_audio_delay_seconds: float = 0.0, seconds_per_word: float = 0.2,
                 pace: float = 4.0) -> None:
        super().__init__()
        self.first_audio_delay_seconds = first_audio_delay_seconds
        self.seconds_per_word = seconds_per_word
        self.pace = pace  # audio sent this many times faster than real time
        self.connections: list[TtsConnection] = []

    @property
    def url(self) -> str:
        return f"{self.ws_url}/tts/websocket"

    @property
    def transcripts(self) -> list[str]:
        return [request["transcript"] for connection in self.connections for request in connection.requests
                if request.get("transcript")]

    def transcripts_joined(self) -> str:
        """Everything asked to be spoken, in order, as one text (pipecat sends a turn sentence by sentence)."""
        return " ".join(" ".join(self.transcripts).split())

    async def _serve(self, connection: ServerConnection) -> None:
        state = TtsConnection(headers=dict(connection.request.headers), path=urlsplit(connection.request.path).path)
        self.connections.append(state)
        speaking: dict[str, asyncio.Task] = {}
        spoken_seconds: dict[str, float] = {}  # per context: word timestamps run on across its requests
        try:
            async for message in connection:
                request = json.loads(message)
                context_id = request.get("context_id", "")
                if request.get("cancel"):
                    state.cancelled.add(context_id)
                    continue
                state.requests.append(request)
                state.request_times.append(time.monotonic())
                previous = speaking.get(context_id)
                speaking[context_id] = asyncio.create_task(
                    self._speak(connection, state, request, previous, spoken_seconds))
        except ConnectionClosed:
            pass
        finally:
            for task in speaking.values():
                task.cancel()

    async def _speak(self, connection: ServerConnection, state: TtsConnection, request: dict,
                     previous: asyncio.Task | None, spoken_seconds: dict[str, float]) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)  # one context speaks its requests in order
        context_id, text = request["context_id"], request.get("transcript", "")
        rate = int(request.get("output_format", {}).get("sample_rate") or 24000)
        try:
            if text.strip():
                await asyncio.sleep(self.first_audio_delay_seconds)
                words = text.split()
                # As Cartesia does, from the start of the context, not of this request.
                offset = spoken_seconds.get(context_id, 0.0)
                spoken_seconds[context_id] = offset + len(words) * self.seconds_per_word
                await connection.send(json.dumps({
                    "type": "timestamps", "context_id": context_id, "status_code": 206, "done": False,
                    "word_timestamps": {"words": words,
                                        "start": [offset + i * self.seconds_per_word for i in range(len(words))],
                                        "end": [offset + (i + 1) * self.seconds_per_word for i in range(len(words))]}}))
                chunks = max(1, round(len(words) * self.seconds_per_word / CHUNK_SECONDS))
                for index in range(chunks):
                    if context_id in state.cancelled:
                        return
                    await connection.send(json.dumps({
                        "type": "chunk", "context_id": context_id, "status_code": 206, "done": False,
                        "step_time": CHUNK_SECONDS * 1000, "data": _tone(rate, index)}))
                    await asyncio.sleep(CHUNK_SECONDS / self.pace)
            if request.get("continue") is False and context_id not in state.cancelled:
                await connection.send(json.dumps({"type": "done", "context_id": context_id, "status_code": 206,
                                                  "done": True}))
        except ConnectionClosed:
            pass


def _tone(rate: int, index: int) -> str:
    samples = int(rate * CHUNK_SECONDS)
    start = index * samples
    pcm = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 220 * (start + n) / rate)))
                   for n in range(samples))
    return base64.b64encode(pcm).decode()
