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
            seconds = len(pcm) / (2 * self.sample_rate)
            self._spoken_seconds[context_id] = offset + seconds
            await self.add_word_timestamps(word_times(sentence, offset, seconds), context_id)
            for start in range(0, len(pcm), chunk_bytes):
                yield TTSAudioRawFrame(pcm[start:start + chunk_bytes], self.sample_rate, 1, context_id=context_id)

    async def on_audio_context_completed(self, context_id: str) -> None:
        self._spoken_seconds.pop(context_id, None)

    async def on_audio_context_interrupted(self, context_id: str) -> None:
        self._spoken_seconds.pop(context_id, None)


def sentences(text: str) -> list[str]:
    return [sentence for sentence in (part.strip() for part in _SENTENCE_END.split(text)) if sentence]


def word_times(sentence: str, offset: float, seconds: float) -> list[tuple[str, float]]:
    """When each word starts: espeak-ng reports no timings, so the sentence's audio is shared out by length."""
    words = sentence.split()
    total = sum(len(word) + 1 for word in words) or 1
    times, before = [], 0
    for word in words:
        times.append((word, offset + seconds * before / total))
        before += len(word) + 1
    return times
