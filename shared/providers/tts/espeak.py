"""Real, listenable offline speech for the sandbox: espeak-ng (the distribution's package) as 16-bit PCM.

The sandbox stands in for Cartesia (the agent's voice, opener previews) and plays the sandbox callee's lines
to the voice plane. Silero's VAD hears espeak-ng as speech (tones it ignores: FACTS.md), so the production
VAD, turn detection and interruption handling run on it unchanged.

`speak_pcm` renders one text in one voice to mono 16-bit little-endian PCM at the asked rate. espeak-ng
writes a 22,050 Hz WAV to stdout in about 50 ms for a sentence; `audioop.ratecv` resamples it.
`espeak_available()` tells callers (the MP3 preview) whether the binary is installed (`make run` installs it).
"""

from __future__ import annotations

import audioop
import functools
import io
import shutil
import subprocess
import wave
from dataclasses import dataclass

ESPEAK = "espeak-ng"
TIMEOUT_SECONDS = 10.0
MAX_TEXT_CHARACTERS = 2000  # a preview's limit is 1,000; a call's sentence is far shorter


@dataclass(frozen=True)
class EspeakVoice:
    """An espeak-ng voice: a language (`en-gb`, `en-us`, `hi`…) and a variant (`f3`, `m3`…: timbre)."""

    language: str
    variant: str = ""
    words_per_minute: int = 165
    pitch: int = 50  # 0..99

    @property
    def name(self) -> str:
        return f"{self.language}+{self.variant}" if self.variant else self.language


class EspeakUnavailable(RuntimeError):
    """espeak-ng is not installed, or failed on this text."""


@functools.cache
def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


def speak_pcm(text: str, voice: EspeakVoice, sample_rate: int = 8000) -> bytes:
    """`text` spoken by `voice` as mono 16-bit PCM at `sample_rate` Hz (empty text: no audio)."""
    text = " ".join(text.split())[:MAX_TEXT_CHARACTERS]
    if not text:
        return b""
    if not espeak_available():
        raise EspeakUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
    command = [ESPEAK, "-v", voice.name, "-s", str(voice.words_per_minute), "-p", str(voice.pitch), "--stdout",
               "--", text]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise EspeakUnavailable(f"espeak-ng failed: {error}") from error
    with wave.open(io.BytesIO(completed.stdout)) as wav:
        native_rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        frames = wav.readframes(wav.getnframes())
    if channels != 1:
        frames = audioop.tomono(frames, width, 0.5, 0.5)
    if width != 2:
        frames = audioop.lin2lin(frames, width, 2)
    if native_rate != sample_rate:
        frames, _ = audioop.ratecv(frames, 2, 1, native_rate, sample_rate, None)
    return frames
