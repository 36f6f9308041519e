"""The sandbox stand-in for Deepgram: it hears *when* the callee speaks, and takes *what* was said from the callee.

It sits where Deepgram sits (after the transport, before the user aggregator). The user aggregator owns the
production VAD (Silero) and broadcasts its `VADUserStartedSpeakingFrame` / `VADUserStoppedSpeakingFrame` both ways
(pipecat 1.14, `LLMUserAggregator._on_vad_speech_*` → `broadcast_frame`), so the upstream copies reach this service
as they reach Deepgram's, which sends `Finalize` on the stop. Like Deepgram it then answers: an interim transcript
when the callee starts an utterance, and one final transcript `final_delay_seconds` after the VAD's stop
(Deepgram's published ~150 ms), marked finalized as Deepgram's `from_finalize` answer is, so the turn detector
ends the turn on it at once. Its text is every line the callee registered (voice.sandbox.callee_lines) since the
last transcript, up to the VAD's stop; an utterance with no new line (a cough, a line the carrier did not register)
produces no transcript, as Deepgram would produce none for noise.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

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

#: Deepgram answers a `Finalize` in about this long (its published figure is ~150 ms; the sandbox is quicker).
FINAL_DELAY_SECONDS = 0.1


class SandboxSTTService(STTService):
    def __init__(self, *, call_id: str, callee_lines: CalleeLines, language: Language = Language.EN,
                 final_delay_seconds: float = FINAL_DELAY_SECONDS, **kwargs) -> None:
        # The turn detector waits at most this long after the end of speech for a transcript that is not
        # finalized; ours always is, so it only matters when a stop carries no new line.
        super().__init__(ttfs_p99_latency=final_delay_seconds + 0.1,
                         settings=STTSettings(model="sandbox-callee-lines", language=language), **kwargs)
        self._call_id = call_id
        self._callee_lines = callee_lines
        self._language = language
        self._final_delay_seconds = final_delay_seconds
        self._transcribed = 0  # how many of the callee's lines earlier transcripts hold
        self._finals: set[asyncio.Task] = set()

    def can_generate_metrics(self) -> bool:
        return True

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame | None, None]:
        """No recognition: the audio only reaches the VAD (upstream of here, in the user aggregator)."""
        return
        yield  # pragma: no cover - makes this an async generator

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)  # passes the frame on (and times TTFB on the VAD frames)
        if isinstance(frame, VADUserStartedSpeakingFrame):
            await self._interim()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self.request_finalize()
            # Up to the VAD's stop: a line registered after it belongs to the next utterance.
            heard_up_to = len(self._callee_lines.spoken(self._call_id))
            final = self.create_task(self._final(heard_up_to), name="sandbox-stt-final")
            self._finals.add(final)
            final.add_done_callback(self._finals.discard)

    async def cleanup(self) -> None:
        for final in list(self._finals):
            await self.cancel_task(final)
        await super().cleanup()

    def _unheard(self, up_to: int | None = None) -> str:
        lines = list(self._callee_lines.spoken(self._call_id))
        return " ".join(" ".join(line.split()) for line in lines[self._transcribed:up_to] if line.strip())

    async def _interim(self) -> None:
        text = self._unheard()
        if text:
            await self.push_frame(InterimTranscriptionFrame(text, self._user_id, time_now_iso8601(), self._language))

    async def _final(self, heard_up_to: int) -> None:
        await asyncio.sleep(self._final_delay_seconds)
        text = self._unheard(heard_up_to)
        self._transcribed = max(self._transcribed, heard_up_to)
        if not text:
            return
        self.confirm_finalize()  # the next transcript is marked finalized (Deepgram's `from_finalize`)
        await self.push_frame(TranscriptionFrame(text, self._user_id, time_now_iso8601(), self._language))
