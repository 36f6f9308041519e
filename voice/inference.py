"""The two bundled ONNX models of the pipeline — Silero (voice activity) and smart-turn v3 (end of turn) — loaded once
per process and shared by every call, each call keeping its own state.

Pipecat's analyzers, as shipped, are built for one conversation per process: each one loads its own ONNX session
(~90 ms of CPU and tens of MB per call for the two) and hands its work to a thread pool of its own (one thread per
call for Silero, one for smart-turn). Measured with 25 calls on one core (`make bench`), handing every 20 ms frame
to Silero's thread cost more than Silero itself (~0.13 ms a frame for the hop against ~0.07 ms of inference), and
the loudness gate — which the pipeline switches off (`min_volume=0`) — was still computed for every window (~4 % of
the CPU). Here:

- `CallVAD` runs Silero on the event loop (a 32 ms window takes ~0.1 ms: far less than a thread hop), skips the
  loudness computation when `min_volume` is 0, and keeps the model's recurrent state and audio context per call on
  the one shared session (the state is an input and an output of each run, so nothing in the session belongs to a
  call). The windows the calls complete within a few milliseconds are scored in one batched run (`_SileroBatch`):
  a run's fixed cost dominates for a model this small (one window ~70 µs, 25 in a batch ~25 µs each).
- `CallSmartTurn` runs smart-turn on the shared session in one process-wide worker thread, at a lower priority
  than the event loop: its ~50 ms inference stays off the loop, inferences queue behind one another instead of
  contending for the one core in 25 threads, and the loop's frames go first.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import numpy as np
import onnxruntime as ort
from loguru import logger
from pipecat.audio.turn.smart_turn.base_smart_turn import BaseSmartTurn, SmartTurnParams
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams, VADState

SILERO_MODEL = ("pipecat.audio.vad.data", "silero_vad.onnx")
SMART_TURN_MODEL = ("pipecat.audio.turn.smart_turn.data", "smart-turn-v3.2-cpu.onnx")


@functools.cache
def _session(package: str, name: str) -> ort.InferenceSession:
    """One session per model per process. One intra-op thread: a task's core is shared by its calls, and the
    models are small (more threads would only add synchronisation)."""
    options = ort.SessionOptions()
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(resources.files(package).joinpath(name)), sess_options=options,
                                providers=["CPUExecutionProvider"])


#: The smart-turn thread's niceness above the process's: on a task's one core its ~50 ms inferences would otherwise
#: take turns with the event loop and hold every call's frames back meanwhile; at a lower priority the loop runs
#: first and an inference uses the time the loop leaves (a verdict is needed ~once a turn, frames 50 times a second).
SMART_TURN_NICENESS = 10


def _lower_this_threads_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # Linux schedules threads by their own niceness
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                       os.getpriority(os.PRIO_PROCESS, 0) + SMART_TURN_NICENESS)


@functools.cache
def _smart_turn_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="smart-turn", initializer=_lower_this_threads_priority)


def load_models() -> None:
    """Load both sessions and run each once (the server does, before it reports healthy): not in a call's start."""
    silero = _session(*SILERO_MODEL)
    silero.run(None, {"input": np.zeros((1, 288), dtype=np.float32), "state": np.zeros((2, 1, 128), dtype=np.float32),
                      "sr": np.array(8000, dtype=np.int64)})
    smart_turn = _session(*SMART_TURN_MODEL)
    smart_turn.run(None, {"input_features": np.zeros((1, 80, 800), dtype=np.float32)})


class _SileroState(SileroOnnxModel):
    """One call's Silero: its recurrent state and audio context, on the shared session."""

    def __init__(self, session: ort.InferenceSession) -> None:
        self.session = session
        self.sample_rates = [8000, 16000]
        self.reset_states()

    def confidence(self, pcm: bytes, sample_rate: int) -> float:
        """Silero's speech probability for one window of 16-bit PCM (256 samples at 8 kHz, 512 at 16 kHz): what
        `SileroOnnxModel.__call__` computes, without its per-window input checks and reshaping."""
        window = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)[np.newaxis, :] * (1 / 32768)
        if self._last_sr != sample_rate or not self._context.shape[1]:
            self.reset_states()
            self._context = np.zeros((1, 64 if sample_rate == 16000 else 32), dtype=np.float32)
            self._last_sr, self._last_batch_size = sample_rate, 1
        audio = np.concatenate((self._context, window), axis=1)
        probability, self._state = self.session.run(
            None, {"input": audio, "state": self._state, "sr": np.array(sample_rate, dtype=np.int64)})
        self._context = audio[:, -self._context.shape[1]:]
        return float(probability[0, 0])


#: How long a window waits for other calls' before the batch is scored: at 25 calls ~775 windows arrive a second,
#: so 4 ms gathers ~3 (the loop's own turn alone gathered 2.7 on average in `make bench`); a VAD decision comes
#: that much later (barge-in is measured in hundreds of milliseconds).
SILERO_BATCH_WAIT_SECONDS = 0.004


class _SileroBatch:
    """Windows from many calls' Silero states, scored together SILERO_BATCH_WAIT_SECONDS after the first arrives."""

    def __init__(self) -> None:
        self._pending: dict[asyncio.AbstractEventLoop, list] = {}
        self.largest = 0  # the most windows one run has scored (for tests and the curious)

    def confidence(self, state: _SileroState, window: bytes, sample_rate: int) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if loop not in self._pending:
            self._pending[loop] = []
            loop.call_later(SILERO_BATCH_WAIT_SECONDS, self._run, loop)
        self._pending[loop].append((state, window, sample_rate, future))
        return future

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        waiting = self._pending.pop(loop, [])
        for rate in {rate for _, _, rate, _ in waiting}:
            batch = [(state, window, future) for state, window, this_rate, future in waiting if this_rate == rate]
            try:
                self._score(batch, rate)
            except Exception:  # as pipecat's Silero does for one window: logged, and heard as no speech
                logger.exception("Silero could not score %d windows", len(batch))
                for _, _, future in batch:
                    if not future.done():
                        future.set_result(0.0)

    def _score(self, batch: list, rate: int) -> None:
        self.largest = max(self.largest, len(batch))
        context = 64 if rate == 16000 else 32
        audio, states = [], []
        for state, window, _ in batch:
            if state._last_sr != rate or not state._context.shape[1]:
                state.reset_states()
                state._context = np.zeros((1, context), dtype=np.float32)
                state._last_sr, state._last_batch_size = rate, 1
            samples = np.frombuffer(window, dtype=np.int16).astype(np.float32)[np.newaxis, :] * (1 / 32768)
            audio.append(np.concatenate((state._context, samples), axis=1))
            states.append(state._state)
        inputs = np.concatenate(audio, axis=0)
        probabilities, after = _session(*SILERO_MODEL).run(None, {
            "input": inputs, "state": np.concatenate(states, axis=1), "sr": np.array(rate, dtype=np.int64)})
        for index, (state, _, future) in enumerate(batch):
            state._state = after[:, index:index + 1, :]
            state._context = inputs[index:index + 1, -context:]
            if not future.done():
                future.set_result(float(probabilities[index, 0]))


SILERO_BATCH = _SileroBatch()


class CallVAD(SileroVADAnalyzer):
    """Silero for one call: the shared session, inline on the event loop, no loudness gate when it is off."""

    def __init__(self, *, sample_rate: int | None = None, params: VADParams | None = None) -> None:
        VADAnalyzer.__init__(self, sample_rate=sample_rate, params=params)  # not Silero's: it loads a session
        self._model = _SileroState(_session(*SILERO_MODEL))
        self._windows_since_reset = 0
        self._low_confidence_windows = 0
        self._scored: float | None = None  # the next window's confidence, from a batched run

    async def analyze_audio(self, buffer: bytes) -> VADState:
        window = self._vad_frames_num_bytes
        if (len(self._vad_buffer) + len(buffer)) // window == 1:
            # The window this buffer completes is scored with the other calls' (the usual case: a carrier's frame
            # is 20 ms, a window 32 ms); more than one would depend on each other, so those are scored in turn.
            self._scored = await SILERO_BATCH.confidence(self._model, (self._vad_buffer + buffer)[:window],
                                                         self.sample_rate)
        return self._run_analyzer(buffer)

    def voice_confidence(self, buffer: bytes) -> float:
        confidence, self._scored = self._scored, None
        if confidence is None:
            confidence = self._model.confidence(buffer, self.sample_rate)
        self._maybe_reset_model(confidence)
        return confidence

    def _get_smoothed_volume(self, audio: bytes) -> float:
        if self._params.min_volume <= 0:
            return 1.0  # the gate is off: every window passes it, whatever its loudness
        return super()._get_smoothed_volume(audio)


class CallSmartTurn(LocalSmartTurnAnalyzerV3):
    """Smart-turn v3 for one call: the shared session, inferences in the process's one smart-turn thread."""

    def __init__(self, *, params: SmartTurnParams | None = None) -> None:
        BaseSmartTurn.__init__(self, params=params)  # not v3's: it loads a session
        self._log_data = False
        self._session = _session(*SMART_TURN_MODEL)

    @property
    def _model_executor(self) -> ThreadPoolExecutor:
        return _smart_turn_thread()
