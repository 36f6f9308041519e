"""The two bundled ONNX models of the pipeline — Silero (voice activity) and smart-turn v3 (end of turn) — loaded once
per process and shared by every call, each call keeping its own state.

Pipecat's analyzers, as shipped, are built for one conversation per process: each one loads its own ONNX session
(~90 ms of CPU and tens of MB per call for the two) and hands its work to a thread pool of its own (one thread per
call for Silero, one for smart-turn). Measured with 25 calls on one core (`make bench`), handing every 20 ms frame
to Silero's thread cost more than Silero itself (~0.13 ms a frame for the hop against ~0.07 ms of inference), and
the loudness gate — which the pipeline switches off (`min_volume=0`) — was still computed for every window (~4 % of
the CPU). Here:

- `CallVAD` runs Silero inline on the event loop (a 32 ms window takes ~0.1 ms: far less than a thread hop), skips
  the loudness computation when `min_volume` is 0, and keeps the model's recurrent state and audio context per call
  on the one shared session (`InferenceSession.run` is thread-safe; the state is an input and an output of each run,
  so nothing in the session belongs to a call).
- `CallSmartTurn` runs smart-turn on the shared session in one process-wide worker thread: its ~50 ms inference
  stays off the event loop, and inferences queue behind one another instead of contending for the one core in 25
  threads.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import numpy as np
import onnxruntime as ort
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


@functools.cache
def _smart_turn_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="smart-turn")


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


class CallVAD(SileroVADAnalyzer):
    """Silero for one call: the shared session, inline on the event loop, no loudness gate when it is off."""

    def __init__(self, *, sample_rate: int | None = None, params: VADParams | None = None) -> None:
        VADAnalyzer.__init__(self, sample_rate=sample_rate, params=params)  # not Silero's: it loads a session
        self._model = _SileroState(_session(*SILERO_MODEL))
        self._windows_since_reset = 0
        self._low_confidence_windows = 0

    async def analyze_audio(self, buffer: bytes) -> VADState:
        return self._run_analyzer(buffer)

    def voice_confidence(self, buffer: bytes) -> float:
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
