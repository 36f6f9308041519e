"""The sandbox TTS: a real, playable MP3 written offline with lameenc (no provider, no network).

It speaks with espeak-ng (the distribution's package: `make run` installs it) in the voice the id names — an
espeak-ng voice, `language+variant` such as `en-gb-x-rp+f3` (the catalogue's `sandbox_voice` of each persona,
the voice its sandbox calls speak with too); an id that names none speaks the language's default voice. The same
text and voice always give the same bytes.

Where espeak-ng is not installed (a Lambda has none) it falls back to tones: each syllable a short voiced tone (a
pitch per voice, a contour per word), words separated by short gaps and sentences by longer pauses, so the audio's
length still follows the text at roughly 150 words a minute.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array

from shared.platform.errors import Upstream
from shared.providers.tts.espeak import EspeakUnavailable, EspeakVoice, espeak_available, speak_pcm
from shared.providers.tts.mp3 import duration_ms
from shared.providers.tts.port import SynthesizedAudio

SAMPLE_RATE = 16_000  # MPEG-2 Layer III: telephone-grade, and cheap to write
BIT_RATE_KBPS = 32
SYLLABLE_MS = 170
WORD_GAP_MS = 70
COMMA_PAUSE_MS = 180
SENTENCE_PAUSE_MS = 350
EDGE_SILENCE_MS = 150
RAMP_MS = 15  # fade in/out of each tone: no clicks
AMPLITUDE = 9_000

_WORD = re.compile(r"\S+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+", re.IGNORECASE)
_ESPEAK_VOICE_ID = re.compile(r"^(?P<language>[a-z]{2,3}(?:-[a-z0-9]+)*)\+(?P<variant>[a-z0-9]+)$")


class SandboxTextToSpeech:
    name = "sandbox"

    def synthesize(self, text: str, voice_id: str, language: str | None = None) -> SynthesizedAudio:
        if espeak_available():
            try:
                pcm = speak_pcm(text, espeak_voice_for(voice_id, language), SAMPLE_RATE)
            except EspeakUnavailable as error:
                raise Upstream("The sandbox voice could not speak this text", code="TTS_UNAVAILABLE") from error
        else:
            pcm = _render(text, _base_pitch(voice_id)).tobytes()
        mp3 = _encode(pcm)
        return SynthesizedAudio(mp3=mp3, duration_ms=duration_ms(mp3))


def espeak_voice_for(voice_id: str, language: str | None = None) -> EspeakVoice:
    """The espeak-ng voice a sandbox voice id names (`en-gb-x-rp+f3`); else the language's default voice."""
    named = _ESPEAK_VOICE_ID.match(voice_id.strip().lower())
    if named:
        return EspeakVoice(named["language"], named["variant"])
    return EspeakVoice("hi" if (language or "").lower().startswith("hi") else "en-us")


def syllable_count(word: str) -> int:
    """Vowel groups for Latin script; about one syllable per 3 characters for others (e.g. Devanagari)."""
    letters = re.sub(r"[^\w]", "", word)
    if not letters:
        return 0
    if letters.isascii():
        return max(1, len(_VOWEL_GROUPS.findall(letters)))
    return max(1, math.ceil(len(letters) / 3))


def _base_pitch(voice_id: str) -> float:
    """A stable pitch per voice between 110 and 230 Hz."""
    return 110.0 + int(hashlib.sha256(voice_id.encode()).hexdigest()[:4], 16) % 120


def _render(text: str, base_pitch: float) -> array:
    pcm = _silence(EDGE_SILENCE_MS)
    for word in _WORD.findall(text):
        contour = hashlib.sha256(word.lower().encode()).digest()
        for index in range(syllable_count(word)):
            pitch = base_pitch * (0.85 + contour[index % len(contour)] / 255 * 0.35)
            pcm.extend(_tone(pitch, SYLLABLE_MS))
        pcm.extend(_silence(_pause_after(word)))
    pcm.extend(_silence(EDGE_SILENCE_MS))
    return pcm


def _pause_after(word: str) -> int:
    if word[-1] in ".!?।":
        return SENTENCE_PAUSE_MS
    if word[-1] in ",;:":
        return COMMA_PAUSE_MS
    return WORD_GAP_MS


def _samples(milliseconds: int) -> int:
    return SAMPLE_RATE * milliseconds // 1000


def _silence(milliseconds: int) -> array:
    return array("h", bytes(2 * _samples(milliseconds)))


def _tone(pitch: float, milliseconds: int) -> array:
    """A voiced tone: one period (fundamental + two harmonics) tiled, with ramps at both ends."""
    period_length = max(2, round(SAMPLE_RATE / pitch))
    period = array("h", (
        int(AMPLITUDE * (0.6 * math.sin(phase) + 0.3 * math.sin(2 * phase) + 0.1 * math.sin(3 * phase)))
        for phase in (2 * math.pi * i / period_length for i in range(period_length))
    ))
    count = _samples(milliseconds)
    tone = (period * (count // period_length + 1))[:count]
    ramp = min(_samples(RAMP_MS), count // 2)
    for i in range(ramp):
        gain = i / ramp
        tone[i] = int(tone[i] * gain)
        tone[count - 1 - i] = int(tone[count - 1 - i] * gain)
    return tone


def _encode(pcm: bytes) -> bytes:
    import lameenc  # the native encoder: loaded only when audio is written

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BIT_RATE_KBPS)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm) + encoder.flush())
