"""The brain in a pipeline the test drives frame by frame, without sockets or audio: what the callee's side sends
goes in at the top (or, for what the transport reports — the agent started or stopped speaking — at the bottom,
upstream), and what reaches the bottom is what the TTS would be asked to say.

`spoken()` is every line the agent was asked to say, in order: the brain's own (`TTSSpeakFrame`) and each of the
model's replies (its streamed words joined). The pipeline ends by itself when the brain ends the call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    EndFrame,
    EndWorkerFrame,
    Frame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.workers.runner import WorkerRunner

from shared.conversation import engine
from shared.workflows.rule_book import RuleBook


class _Capture(FrameProcessor):
    def __init__(self, direction: FrameDirection, frames: list[Frame], on_frame: Callable[[Frame], None]) -> None:
        super().__init__(enable_direct_mode=True)
        self._direction, self._frames, self._on_frame = direction, frames, on_frame

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if direction == self._direction:
            self._frames.append(frame)
            self._on_frame(frame)
        await self.push_frame(frame, direction)


class CallHarness:
    def __init__(self, *processors: FrameProcessor, context: LLMContext | None = None,
                 timeline: list | None = None, on_turn: Callable[[str], None] | None = None) -> None:
        """`on_turn`: told each callee turn's words, as the user aggregator's `on_user_turn_stopped` tells."""
        self.context = context or LLMContext()
        self._on_turn = on_turn
        self.down: list[Frame] = []
        self.up: list[Frame] = []
        self.timeline = timeline if timeline is not None else []  # ("say", text) entries, beside the effects'
        self._reply = ""
        pipeline = Pipeline([_Capture(FrameDirection.UPSTREAM, self.up, lambda frame: None), *processors,
                             _Capture(FrameDirection.DOWNSTREAM, self.down, self._heard)])
        self._worker = PipelineWorker(pipeline, cancel_on_idle_timeout=False, params=PipelineParams())
        self._started = asyncio.Event()
        self._run: asyncio.Task | None = None

        @self._worker.event_handler("on_pipeline_started")
        async def _started(_worker, _frame) -> None:
            self._started.set()

    def _heard(self, frame: Frame) -> None:
        if isinstance(frame, TTSSpeakFrame):
            self.timeline.append(("say", frame.text))
        elif isinstance(frame, LLMTextFrame):
            self._reply += frame.text
        elif isinstance(frame, LLMFullResponseEndFrame) and self._reply.strip():
            self.timeline.append(("say", self._reply.strip()))
            self._reply = ""

    async def __aenter__(self) -> CallHarness:
        runner = WorkerRunner(handle_sigint=False, handle_sigterm=False)
        await runner.add_workers(self._worker)
        self._run = asyncio.create_task(runner.run())
        await asyncio.wait_for(self._started.wait(), 5)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self.ended:
            await self._worker.queue_frame(EndFrame())
        await asyncio.wait_for(self._run, 10)

    @property
    def ended(self) -> bool:
        """The brain ended the call (its EndWorkerFrame reached the top and the pipeline stopped)."""
        return any(isinstance(frame, EndWorkerFrame) for frame in self.up)

    def spoken(self) -> list[str]:
        return [text for kind, text in self.timeline if kind == "say"]

    def model_turns(self) -> int:
        """How many callee turns went on past the brain (to the model, or to the bottom when there is none)."""
        return sum(1 for frame in self.down if isinstance(frame, LLMContextFrame))

    async def send(self, frame: Frame) -> None:
        await self._worker.queue_frame(frame)

    async def report(self, frame: Frame) -> None:
        """What the output transport tells the pipeline (upstream from the bottom)."""
        await self._worker.queue_frame(frame, FrameDirection.UPSTREAM)

    async def agent_speaks(self, seconds: float = 0.0) -> None:
        """The transport plays the agent's audio for `seconds`, then goes quiet."""
        await self.report(BotStartedSpeakingFrame())
        await asyncio.sleep(seconds)
        await self.report(BotStoppedSpeakingFrame())

    async def callee_says(self, text: str) -> None:
        """A completed callee turn, as the user aggregator pushes it (the line added to the shared context)."""
        self.context.add_message({"role": "user", "content": text})
        # The context as it is now: the next line the test says must not show through into this turn.
        await self.send(LLMContextFrame(context=LLMContext(messages=list(self.context.get_messages()))))
        if self._on_turn is not None:
            self._on_turn(text)

    async def until(self, predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.01)
        return predicate()

    async def after_the_opener(self, rule_book: RuleBook) -> None:
        """The opener was said and played: the conversation is open."""
        assert await self.until(lambda: self.spoken()[:1] == [engine.opening(rule_book).say])
        self.context.add_message({"role": "assistant", "content": engine.opening(rule_book).say})
        await self.agent_speaks()
