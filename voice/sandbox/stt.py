"""The sandbox stand-in for Deepgram: it hears *when* the callee speaks, and takes *what* was said from the callee.

It sits where Deepgram sits (after the transport, before the user aggregator). The user aggregator owns the
production VAD (Silero) and broadcasts its `VADUserStartedSpeakingFrame` / `VADUserStoppedSpeakingFrame` both ways
(pipecat 1.14, `LLMUserAggregator._on_vad_speech_*` → `broadcast_frame`), so the upstream copies reach this service
as they reach Deepgram's, which sends `Finalize` on the stop. Like Deepgram it then answers: an interim transcript
when the callee starts an utterance, and a final transcript shortly after the VAD's stop, marked finalized as
Deepgram's `from_finalize` answer is, so the turn detector ends the turn on it at once. Its text is every line the
callee registered (voice.sandbox.callee_lines) since the last transcript, up to the VAD's stop; an utterance with
no new line (a cough, a line the carrier did not register) produces no transcript, as Deepgram gives none for noise.

Deepgram finalizes what was said before a pause; this stand-in knows lines, not words, so it waits a little longer
(`final_delay_seconds`) and lets a pause inside a line pass: when the VAD hears the callee again before then and no
new line began, the same line goes on, and is transcribed once, at the stop that really ends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from pipecat.audio.vad.vad_analyzer import VAD_STOP_SECS
from pipecat.frames.frames import (
    Frame,
    InterimTranscriptionFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.settings import STTSettings
from pipecat.services.stt_service import STTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601

from voice.sandbox.callee_lines import CalleeLines

#: After the VAD's stop (0.2 s into a silence), the wait for the callee to go on: espeak-ng pauses up to ~0.25 s at
#: a comma, and the VAD reports speech again `start_secs` (0.1–0.2 s) after it resumes. Deepgram answers in ~0.15 s.
FINAL_DELAY_SECONDS = 0.35


class SandboxSTTService(STTService):
    def __init__(self, *, call_id: str, callee_lines: CalleeLines, language: Language = Language.EN,
                 final_delay_seconds: float = FINAL_DELAY_SECONDS, **kwargs) -> None:
        # From the end of speech to the final transcript: the VAD's stop, then our wait (the turn detector uses it).
        super().__init__(ttfs_p99_latency=VAD_STOP_SECS + final_delay_seconds + 0.05,
                         settings=STTSettings(model="sandbox-callee-lines", language=language), **kwargs)
        self._call_id = call_id
        self._callee_lines = callee_lines
        self._language = language
        self._final_delay_seconds = final_delay_seconds
        self._transcribed = 0  # how many of the callee's lines earlier transcripts hold
        self._pending: tuple[asyncio.Task, int] | None = None  # the final due after a stop, and the lines it holds

    def can_generate_metrics(self) -> bool:
        return True

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame | None, None]:
        """No recognition: the audio only reaches the VAD (upstream of here, in the user aggregator)."""
        return
        yield  # pragma: no cover - makes this an async generator

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)  # passes the frame on (and times TTFB on the VAD frames)
        if isinstance(frame, VADUserStartedSpeakingFrame):
            if self._pending is not None and self._pending[1] == self._lines_so_far():
                await self._cancel_pending()  # a pause inside the line: it is transcribed when it really ends
            await self._interim()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            await self._cancel_pending()
            self.request_finalize()
            # Up to the VAD's stop: a line registered after it belongs to the next utterance.
            heard_up_to = self._lines_so_far()
            self._pending = (self.create_task(self._final(heard_up_to), name="sandbox-stt-final"), heard_up_to)

    async def cleanup(self) -> None:
        await self._cancel_pending()
        await super().cleanup()

    def _lines_so_far(self) -> int:
        return len(self._callee_lines.spoken(self._call_id))

    async def _cancel_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending[0].done():
            await self.cancel_task(pending[0])

    def _unheard(self, up_to: int | None = None) -> str:
        lines = list(self._callee_lines.spoken(self._call_id))
        return " ".join(" ".join(line.split()) for line in lines[self._transcribed:up_to] if line.strip())

    async def _interim(self) -> None:
        text = self._unheard()
        if text:
            await self.push_frame(InterimTranscriptionFrame(text, self._user_id, time_now_iso8601(), self._language))

    async def _final(self, heard_up_to: int) -> None:
        await asyncio.sleep(self._final_delay_seconds)
        self._pending = None
        text = self._unheard(heard_up_to)
        self._transcribed = max(self._transcribed, heard_up_to)
        if not text:
            return
        self.confirm_finalize()  # the next transcript is marked finalized (Deepgram's `from_finalize`)
        await self.push_frame(TranscriptionFrame(text, self._user_id, time_now_iso8601(), self._language))
