"""The callee's audio goes from turn detection straight to the recorder, and the carrier going quiet on an open
socket ends the call (voice/callee_audio.py)."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import Frame, InputAudioRawFrame, TextFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from tests.voice.call_harness import CallHarness
from voice.call_record import CallRecord, recorder
from voice.callee_audio import CalleeAudio

FRAME = b"\0" * 320


class _Sees(FrameProcessor):
    def __init__(self) -> None:
        super().__init__()
        self.audio = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self.audio += 1
        await self.push_frame(frame, direction)


def _audio() -> InputAudioRawFrame:
    return InputAudioRawFrame(audio=FRAME, sample_rate=8000, num_channels=1)


def test_the_callees_audio_reaches_the_recorder_and_nothing_in_between():
    between, recorder = _Sees(), _Sees()

    async def scenario() -> None:
        async def never() -> None:
            raise AssertionError("the carrier never went quiet")

        async with CallHarness(CalleeAudio(recorder, carrier_silent=never, silent_after=5), between,
                               recorder) as call:
            for _ in range(10):
                await call.send(_audio())
            assert await call.until(lambda: recorder.audio == 10)

    asyncio.run(scenario())
    assert between.audio == 0


def test_a_carrier_that_stops_sending_frames_is_noticed_once_and_one_that_streams_is_not():
    noticed: list[float] = []

    async def scenario(streaming: bool) -> None:
        async def silent() -> None:
            noticed.append(asyncio.get_running_loop().time())

        async with CallHarness(CalleeAudio(_Sees(), carrier_silent=silent, silent_after=0.3)) as call:
            for _ in range(12):  # 1.2 s
                if streaming:
                    await call.send(_audio())
                await asyncio.sleep(0.1)

    asyncio.run(scenario(streaming=True))
    assert noticed == []
    asyncio.run(scenario(streaming=False))
    assert len(noticed) == 1


def test_the_recorder_is_the_end_of_the_callees_audio_and_passes_everything_else_on():
    after = _Sees()
    seen_text: list[str] = []

    async def scenario() -> None:
        async with CallHarness(recorder(CallRecord(), 8000), after) as call:
            for _ in range(5):
                await call.send(_audio())
            await call.send(TextFrame(text="still flowing"))
            assert await call.until(lambda: any(isinstance(frame, TextFrame) for frame in call.down))
            seen_text.extend(frame.text for frame in call.down if isinstance(frame, TextFrame))

    asyncio.run(scenario())
    assert after.audio == 0 and seen_text == ["still flowing"]
