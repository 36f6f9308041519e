"""The pipeline's two ONNX models are loaded once per process and shared by the calls (voice/inference.py): each
call's VAD and turn model hear exactly what pipecat's own analyzers hear, keep their state per call, and do their
work without a thread of their own per call."""

from __future__ import annotations

import asyncio
import audioop
import threading

import numpy as np
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADState

from tests.voice.speech import spoken
from tests.voice.twilio_callee import speech
from voice.inference import SILERO_BATCH, CallSmartTurn, CallVAD
from voice.pipeline import VAD_PARAMS

RATE = 8000
FRAME = 320  # 20 ms of 16-bit PCM at 8 kHz, as the carrier's frames reach the VAD


def _pcm(ulaw: bytes) -> bytes:
    return audioop.ulaw2lin(ulaw, 2)


def _states(analyzer, pcm: bytes) -> list:
    return [analyzer._run_analyzer(pcm[start:start + FRAME]) for start in range(0, len(pcm), FRAME)]


def test_a_calls_vad_hears_speech_exactly_as_pipecats_silero_does():
    pcm = _pcm(speech("tell_me_more")) + b"\0" * 8000 + _pcm(speech("yeah")) + b"\0" * 8000
    pipecats = SileroVADAnalyzer(sample_rate=RATE, params=VAD_PARAMS)
    pipecats.set_sample_rate(RATE)
    ours = CallVAD(sample_rate=RATE, params=VAD_PARAMS)
    ours.set_sample_rate(RATE)
    heard = _states(ours, pcm)
    assert heard == _states(pipecats, pcm)
    assert heard.count(VADState.SPEAKING) > 50 and heard[-1] == VADState.QUIET  # both lines heard, and their end


def test_calls_share_one_session_and_keep_their_own_state():
    first, second = CallVAD(sample_rate=RATE, params=VAD_PARAMS), CallVAD(sample_rate=RATE, params=VAD_PARAMS)
    for vad in (first, second):
        vad.set_sample_rate(RATE)
    assert first._model.session is second._model.session
    alone = CallVAD(sample_rate=RATE, params=VAD_PARAMS)
    alone.set_sample_rate(RATE)
    talking = _pcm(speech("tell_me_more"))
    # One call talking while another is silent, window by window, changes nothing of what either hears.
    interleaved_first, interleaved_second = [], []
    for start in range(0, len(talking), FRAME):
        interleaved_first.append(first._run_analyzer(talking[start:start + FRAME]))
        interleaved_second.append(second._run_analyzer(b"\0" * FRAME))
    assert interleaved_first == _states(alone, talking)
    assert set(interleaved_second) == {interleaved_second[0]}  # silence throughout: never speaking


def test_calls_talking_at_once_are_scored_in_one_batch_and_each_hears_what_pipecats_silero_hears():
    lines = [_pcm(speech("tell_me_more")), _pcm(speech("stop_calling")), b"\0" * 8000 + _pcm(speech("yeah"))]

    def expected(pcm: bytes) -> list:
        alone = SileroVADAnalyzer(sample_rate=RATE, params=VAD_PARAMS)
        alone.set_sample_rate(RATE)
        return _states(alone, pcm)

    async def calls_at_once() -> list[list]:
        vads = [CallVAD(sample_rate=RATE, params=VAD_PARAMS) for _ in lines]
        for vad in vads:
            vad.set_sample_rate(RATE)

        async def one_call(vad: CallVAD, pcm: bytes) -> list:
            heard = []
            for start in range(0, len(pcm), FRAME):
                heard.append(await vad.analyze_audio(pcm[start:start + FRAME]))
                await asyncio.sleep(0)  # the carrier's next frame: every call's arrives in the same turn of the loop
            return heard

        return await asyncio.gather(*(one_call(vad, pcm) for vad, pcm in zip(vads, lines, strict=True)))

    SILERO_BATCH.largest = 0
    assert asyncio.run(calls_at_once()) == [expected(pcm) for pcm in lines]
    assert SILERO_BATCH.largest == len(lines)


def test_the_vad_runs_on_the_event_loop_without_a_thread_hop():
    vad = CallVAD(sample_rate=RATE, params=VAD_PARAMS)
    vad.set_sample_rate(RATE)
    threads: set[str] = set()
    confidence = vad.voice_confidence

    def watched(buffer: bytes) -> float:
        threads.add(threading.current_thread().name)
        return confidence(buffer)

    vad.voice_confidence = watched
    scoring = vad._model.confidence

    def scored(buffer: bytes, rate: int) -> float:
        threads.add(threading.current_thread().name)
        return scoring(buffer, rate)

    vad._model.confidence = scored
    pcm = _pcm(speech("yeah"))

    async def analyse() -> None:
        for start in range(0, len(pcm), FRAME):
            await vad.analyze_audio(pcm[start:start + FRAME])

    asyncio.run(analyse())
    assert threads == {threading.main_thread().name}


def test_a_calls_turn_model_judges_as_pipecats_smart_turn_does_on_a_shared_session_and_thread():
    audio = np.frombuffer(_pcm(spoken("I was wondering what the annual plan costs.")), dtype=np.int16)
    audio = audio.astype(np.float32) / 32768
    pipecats, ours, another = LocalSmartTurnAnalyzerV3(), CallSmartTurn(), CallSmartTurn()
    for analyzer in (pipecats, ours, another):
        analyzer.set_sample_rate(RATE)
    assert ours._predict_endpoint(audio) == pipecats._predict_endpoint(audio)
    assert ours._session is another._session and ours._model_executor is another._model_executor


def test_the_turn_models_thread_runs_below_the_event_loops_priority():
    import os

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = CallSmartTurn()._model_executor
    assert thread.submit(niceness).result() >= niceness() + 1
