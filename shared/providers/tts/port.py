"""Text to speech: the port every TTS adapter implements.

Adapters: `CartesiaTextToSpeech` (Cartesia's HTTP API) and `SandboxTextToSpeech` (a real, playable MP3
written offline). Services receive one through `shared.providers.tts.selection.get_tts()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SynthesizedAudio:
    mp3: bytes
    duration_ms: int  # measured from the MP3's own frames, so it is true to the file


class TextToSpeech(Protocol):
    #: "cartesia" or "sandbox": part of the cache key of stored audio, and shown by /healthz.
    name: str

    def synthesize(self, text: str, voice_id: str, language: str | None = None) -> SynthesizedAudio:
        """The text spoken by the voice (its provider id) as MP3; `language` is a hint such as "hi".
        Raises shared.platform.errors.Upstream when the provider fails."""
