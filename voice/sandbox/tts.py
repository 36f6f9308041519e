"""The sandbox stand-in for Cartesia: espeak-ng speaking in the persona's own espeak voice, at the carrier's rate.

It behaves towards the pipeline as Cartesia's service does: the base TTS service aggregates the streamed reply
into sentences, opens an audio context per turn with a `TTSStartedFrame` and closes it with a `TTSStoppedFrame`
(so interruptions drop it and the assistant aggregator sees the turn), and word timestamps go with the audio (so
an interrupted reply is kept in the transcript up to the last word the callee heard, as with Cartesia). Each
request is spoken sentence by sentence — a TTSSpeakFrame's opener too — so the first sentence's audio leaves
after one espeak-ng run (~50 ms), not after the whole text.
"""

from __future__ import annotations

import asyncio
import re
from array import array
from collections.abc import AsyncGenerator

from pipecat.frames.frames import ErrorFrame, Frame, TTSAudioRawFrame
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TTSService
from pipecat.transcriptions.language import Language

from shared.providers.tts.espeak import EspeakUnavailable, EspeakVoice, speak_pcm

_SENTENCE_END = re.compile(r"(?<=[.!?।])\s+")
CHUNK_SECONDS = 0.1  # audio leaves in chunks of this length, so an interruption drops what was not yet played


class SandboxTTSService(TTSService):
    def __init__(self, *, voice: EspeakVoice, language: Language = Language.EN, sample_rate: int = 8000,
                 **kwargs) -> None:
        super().__init__(push_text_frames=False, push_start_frame=True, push_stop_frames=True, sample_rate=sample_rate,
                         settings=TTSSettings(model="espeak-ng", voice=voice.name, language=language), **kwargs)
        self._voice = voice
        self._spoken_seconds: dict[str, float] = {}  # per audio context: word times run on across its sentences

    @property
    def voice(self) -> EspeakVoice:
        return self._voice

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame | None, None]:
        await self.start_tts_usage_metrics(text)
        chunk_bytes = 2 * int(self.sample_rate * CHUNK_SECONDS)
        for sentence in sentences(text):
            try:
                pcm = await asyncio.to_thread(speak_pcm, sentence, self._voice, self.sample_rate)
            except EspeakUnavailable as error:
                yield ErrorFrame(error=f"{self}: {error}")
                return
            if not pcm:
                continue
            offset = self._spoken_seconds.get(context_id, 0.0)
            self._spoken_seconds[context_id] = offset + len(pcm) / (2 * self.sample_rate)
            start, end = voiced_span(pcm, self.sample_rate)
            await self.add_word_timestamps(word_times(sentence, offset + start, end - start), context_id)
            for start in range(0, len(pcm), chunk_bytes):
                yield TTSAudioRawFrame(pcm[start:start + chunk_bytes], self.sample_rate, 1, context_id=context_id)

    async def on_audio_context_completed(self, context_id: str) -> None:
        self._spoken_seconds.pop(context_id, None)

    async def on_audio_context_interrupted(self, context_id: str) -> None:
        self._spoken_seconds.pop(context_id, None)


def sentences(text: str) -> list[str]:
    return [sentence for sentence in (part.strip() for part in _SENTENCE_END.split(text)) if sentence]


def voiced_span(pcm: bytes, sample_rate: int, loud: int = 500) -> tuple[float, float]:
    """Where the speech starts and ends in a clip, in seconds (espeak-ng pads its clips with quiet)."""
    samples = array("h", pcm[: len(pcm) // 2 * 2])
    voiced = [index for index, sample in enumerate(samples) if abs(sample) > loud]
    if not voiced:
        return 0.0, len(samples) / sample_rate
    return voiced[0] / sample_rate, (voiced[-1] + 1) / sample_rate


def word_times(sentence: str, offset: float, seconds: float) -> list[tuple[str, float]]:
    """When each word starts: espeak-ng reports no timings, so the sentence's speech is shared out by length.
    (A context's first word so starts after the clip's leading quiet, never at 0: pipecat times a context that
    follows another from the previous one's last word, and a word at 0 would land in the previous turn.)"""
    words = sentence.split()
    total = sum(len(word) + 1 for word in words) or 1
    times, before = [], 0
    for word in words:
        times.append((word, offset + seconds * before / total))
        before += len(word) + 1
    return times
