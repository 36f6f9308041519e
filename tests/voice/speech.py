"""Speech for the voice tests, both ways: a callee's line spoken by espeak-ng as Twilio carries it (8 kHz μ-law),
and how much of what the voice plane played Silero — the production VAD — calls speech."""

from __future__ import annotations

import audioop
import functools

from shared.providers.tts.espeak import EspeakVoice, speak_pcm

SAMPLE_RATE = 8000
CALLEE_VOICE = EspeakVoice("en-us")


@functools.cache
def spoken(text: str, voice: EspeakVoice = CALLEE_VOICE) -> bytes:
    """`text` said by the callee, as the carrier streams it: 8 kHz G.711 μ-law."""
    return audioop.lin2ulaw(speak_pcm(text, voice, SAMPLE_RATE), 2)


def speech_ms(ulaw: bytes, confidence: float = 0.7) -> int:
    """How many milliseconds of 8 kHz μ-law audio Silero (the pipeline's VAD model) hears as speech."""
    from pipecat.audio.vad.silero import SileroVADAnalyzer

    vad = SileroVADAnalyzer(sample_rate=SAMPLE_RATE)
    vad.set_sample_rate(SAMPLE_RATE)
    pcm, window = audioop.ulaw2lin(ulaw, 2), 2 * vad.num_frames_required()
    voiced = sum(1 for start in range(0, len(pcm) - window + 1, window)
                 if vad.voice_confidence(pcm[start:start + window]) >= confidence)
    return voiced * 1000 * window // (2 * SAMPLE_RATE)
