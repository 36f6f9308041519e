"""Where the callee's audio leaves the pipeline: right after turn detection, straight to the recorder — and the one
place that notices when the carrier stops sending it.

Nothing after the user aggregator uses the callee's audio but the recorder (the brain, the model, the guard, the
TTS, the output transport and the latency meter only passed it on), yet each of those seven processors took every
20 ms frame through a queue and a task of its own. And pipecat's idle watchdog — an observer told of every frame
pushed and processed anywhere in the pipeline, through a queue of its own — cost as much again. Handing the frame
to the recorder here, and watching the carrier's frames here instead, cut a call's CPU by about a third in
`make bench` (voice/pipeline.py, docs/ARCHITECTURE.md).

The watchdog: a carrier streams audio for as long as the call is up (silence included), so no frame for
`silent_after` seconds means the carrier has gone quiet on an open socket; `carrier_silent` is then called once
(the pipeline ends the call). pipecat's watchdog counted only speech, transcripts and the agent's audio as life, so
a callee parked on a quiet hold looked idle to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from pipecat.frames.frames import CancelFrame, EndFrame, Frame, InputAudioRawFrame, StartFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor


class CalleeAudio(FrameProcessor):
    def __init__(self, recorder: FrameProcessor, *, carrier_silent: Callable[[], Awaitable[None]],
                 silent_after: float) -> None:
        super().__init__(name="callee-audio", enable_direct_mode=True)
        self._recorder = recorder
        self._carrier_silent = carrier_silent
        self._silent_after = silent_after
        self._last_frame = time.monotonic()
        self._watchdog: asyncio.Task | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame) and direction == FrameDirection.DOWNSTREAM:
            self._last_frame = time.monotonic()
            await self._recorder.queue_frame(frame, direction)
            return
        if isinstance(frame, StartFrame):
            self._last_frame = time.monotonic()
            self._watchdog = self.create_task(self._watch(), f"{self}::carrier_watchdog")
        elif isinstance(frame, (EndFrame, CancelFrame)):
            await self._stop_watching()
        await self.push_frame(frame, direction)

    async def cleanup(self) -> None:
        await super().cleanup()
        await self._stop_watching()

    async def _watch(self) -> None:
        while True:
            quiet_for = time.monotonic() - self._last_frame
            if quiet_for >= self._silent_after:
                self._watchdog = None
                await self._carrier_silent()
                return
            await asyncio.sleep(self._silent_after - quiet_for)

    async def _stop_watching(self) -> None:
        if self._watchdog is not None:
            watchdog, self._watchdog = self._watchdog, None
            await self.cancel_task(watchdog)
