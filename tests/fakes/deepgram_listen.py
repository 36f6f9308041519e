"""A local fake of Deepgram's streaming `wss://api.deepgram.com/v1/listen`, for `DeepgramSTTService(base_url=...)`.

Wire format as the official SDK (deepgram-sdk 7, `ListenV1Results`) parses it: the client sends binary audio
frames and JSON control messages (`KeepAlive`, `Finalize`, `CloseStream`); the server answers `Results`
messages. This fake answers the scripted utterances in order: once `interim_after_bytes` of audio arrived
since the last final it sends an interim result (the utterance's first word), and when the client asks to
`Finalize` (pipecat does when its VAD says the callee stopped) it sends the final result after
`final_delay_seconds` (Deepgram's published figure: ~150 ms). With `endpointing_seconds` it also endpoints on
its own, as Deepgram does: a final comes once speech has been followed by that much silence (so "final 150 ms
after the end of speech" is `endpointing_seconds=0.15`) and carries only the words said so far — the utterance's
clauses (split after its punctuation) one per pause, as Deepgram finalises "Okay," at the comma's pause and "tell me
more about it." at the end, never words not yet spoken; a `Finalize` then flushes what was heard since the last
final the same way, if the callee is quiet when it comes. `full_interims` makes the interim carry the whole line
(Deepgram's interims grow with the words) instead of its first word. Speech is told from silence by loudness; an
utterance ends after 0.5 s of silence, so a pause inside a sentence does not move on to the next line.
Every connection's query and audio are recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
import uuid
from array import array
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from tests.fakes.websocket_server import LocalWebSocketFake


@dataclass
class ListenSession:
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    extensions: str | None = None  # the WebSocket extensions the client offered (permessage-deflate…)
    audio_bytes: int = 0
    finals: list[tuple[str, float]] = field(default_factory=list)  # (transcript, monotonic time sent)


SPEECH_RMS = 500  # 16-bit PCM: espeak-ng speech is far above, the carrier's silence far below
UTTERANCE_GAP_BYTES = 8000  # 0.5 s of 8 kHz 16-bit silence ends an utterance


class _Utterance:
    """The stretch of speech the client is streaming, told from silence by loudness (linear16 PCM)."""

    def __init__(self) -> None:
        self.speech_bytes = self.silent_run = 0
        self.answered = self.interim_sent = False
        self.clauses: list[str] | None = None  # endpointing: the clauses not finalised yet
        self.speech_since_final = False

    def hear(self, pcm: bytes) -> None:
        samples = array("h", pcm[: len(pcm) // 2 * 2])
        loud = bool(samples) and math.sqrt(sum(s * s for s in samples) / len(samples)) > SPEECH_RMS
        if loud:
            if self.silent_run >= UTTERANCE_GAP_BYTES and self.answered:
                self.speech_bytes, self.answered, self.interim_sent = 0, False, False  # a new utterance
                self.clauses = None
            self.speech_bytes += len(pcm)
            self.silent_run = 0
            self.speech_since_final = True
        else:
            self.silent_run += len(pcm)

    def unanswered(self) -> bool:
        return self.speech_bytes > 0 and not self.answered

    def interim_due(self, after_bytes: int) -> bool:
        return not self.interim_sent and not self.answered and self.speech_bytes >= after_bytes


class FakeDeepgramListen(LocalWebSocketFake):
    def __init__(self, utterances: list[str], *, final_delay_seconds: float = 0.0,
                 interim_after_bytes: int = 4000, endpointing_seconds: float | None = None,
                 full_interims: bool = False) -> None:
        super().__init__()
        self.utterances = list(utterances)
        self.final_delay_seconds = final_delay_seconds
        self.interim_after_bytes = interim_after_bytes
        self.endpointing_seconds = endpointing_seconds
        self.full_interims = full_interims
        self.sessions: list[ListenSession] = []
        self._next_utterance = 0
        self._answers: set[asyncio.Task] = set()  # Finalize answers on their way (held so they are not collected)

    @property
    def base_url(self) -> str:
        return self.ws_url

    @property
    def audio_bytes(self) -> int:
        return sum(session.audio_bytes for session in self.sessions)

    async def _serve(self, connection: ServerConnection) -> None:
        target = urlsplit(connection.request.path)
        session = ListenSession(path=target.path, query=parse_qs(target.query),
                                authorization=connection.request.headers.get("Authorization"),
                                extensions=connection.request.headers.get("Sec-WebSocket-Extensions"))
        self.sessions.append(session)
        heard = _Utterance()
        try:
            async for message in connection:
                if isinstance(message, bytes):
                    session.audio_bytes += len(message)
                    heard.hear(message)
                    if heard.interim_due(self.interim_after_bytes) and self._pending():
                        heard.interim_sent = True
                        interim = self._pending() if self.full_interims else self._pending().split()[0]
                        await connection.send(self._results(interim, is_final=False))
                    if self.endpointing_seconds is not None and heard.unanswered() and heard.speech_since_final \
                            and heard.silent_run >= self.endpointing_seconds * 16000 and self._pending():
                        transcript = self._next_clause(heard)
                        session.finals.append((transcript, time.monotonic()))
                        await connection.send(self._results(transcript, is_final=True))
                    continue
                kind = json.loads(message).get("type")
                if kind == "Finalize" and self.endpointing_seconds is not None:
                    # Only what was heard since the last final, and only once the callee is quiet (a Finalize that
                    # comes after they went on would otherwise hand over the rest of a clause not said yet); the
                    # answer is sent without holding up the audio behind it.
                    said = heard.unanswered() and heard.speech_since_final and heard.silent_run > 0 \
                        and bool(self._pending())
                    transcript = self._next_clause(heard) if said else ""
                    self._answers.add(asyncio.create_task(self._answer_finalize(connection, session, transcript)))
                elif kind == "Finalize":
                    # One scripted utterance per stretch of speech: a pause inside it (a comma) finalizes
                    # nothing new, as Deepgram would have sent that part already.
                    transcript = self._pending() if heard.unanswered() else ""
                    if transcript:
                        self._next_utterance += 1
                        heard.answered = True
                    await asyncio.sleep(self.final_delay_seconds)
                    session.finals.append((transcript, time.monotonic()))
                    await connection.send(self._results(transcript, is_final=True, from_finalize=True))
                elif kind == "CloseStream":
                    await connection.close()
                    return
        except ConnectionClosed:
            return

    async def _answer_finalize(self, connection: ServerConnection, session: ListenSession, transcript: str) -> None:
        await asyncio.sleep(self.final_delay_seconds)
        session.finals.append((transcript, time.monotonic()))
        with contextlib.suppress(ConnectionClosed):
            await connection.send(self._results(transcript, is_final=True, from_finalize=True))

    def _next_clause(self, heard: _Utterance) -> str:
        """The utterance's next clause; the utterance is answered with its last."""
        if heard.clauses is None:
            heard.clauses = re.findall(r"[^,;:.?!]+[,;:.?!]*", self._pending()) or [self._pending()]
        clause = heard.clauses.pop(0).strip()
        heard.speech_since_final = False
        if not heard.clauses:
            heard.answered = True
            self._next_utterance += 1
        return clause

    def _pending(self) -> str:
        return self.utterances[self._next_utterance] if self._next_utterance < len(self.utterances) else ""

    @staticmethod
    def _results(transcript: str, *, is_final: bool, from_finalize: bool = False) -> str:
        words = [{"word": word.strip(".,!?").lower(), "start": 0.1 * i, "end": 0.1 * i + 0.1, "confidence": 0.99,
                  "punctuated_word": word} for i, word in enumerate(transcript.split())]
        return json.dumps({
            "type": "Results", "channel_index": [0, 1], "duration": 1.0, "start": 0.0, "is_final": is_final,
            "speech_final": is_final, "from_finalize": from_finalize,
            "channel": {"alternatives": [{"transcript": transcript, "confidence": 0.99, "words": words}]},
            "metadata": {"request_id": str(uuid.uuid4()), "model_uuid": str(uuid.uuid4()),
                         "model_info": {"name": "2-phonecall-nova", "version": "2024-01-01", "arch": "nova-2"}},
        })
