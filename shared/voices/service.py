"""Voices and opener previews: text spoken by the active TTS adapter, stored once in the media bucket.

Samples and previews are content-addressed by (adapter, provider voice, text): the first request
synthesizes, later ones reuse the stored MP3 and its measured duration.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from shared.media import service as media
from shared.platform.errors import BadRequest
from shared.providers.tts.port import TextToSpeech
from shared.providers.tts.selection import get_tts
from shared.voices.catalogue import VOICES, VoiceEntry, find_voice
from shared.voices.models import OpeningPreview, VoiceView


def list_voices() -> list[VoiceView]:
    """Every voice with a playable sample; missing samples are synthesized in parallel (I/O bound)."""
    tts = get_tts()
    with ThreadPoolExecutor(max_workers=len(VOICES)) as pool:
        samples = list(pool.map(lambda voice: _speak(tts, voice, voice.sample_text, "samples"), VOICES))
    return [VoiceView(id=voice.id, name=voice.name, language=voice.language, gender=voice.gender,
                      accent=voice.accent, description=voice.description, sample_mp3_url=sample.url)
            for voice, sample in zip(VOICES, samples, strict=True)]


def preview_opening(text: str, persona: str) -> OpeningPreview:
    voice = find_voice(persona)
    if voice is None:
        known = ", ".join(voice.id for voice in VOICES)
        raise BadRequest(f"Unknown persona; choose one of: {known}", code="UNKNOWN_PERSONA", field="persona")
    audio = _speak(get_tts(), voice, text, "previews")
    return OpeningPreview(mp3_url=audio.url, duration_ms=audio.duration_ms)


def _speak(tts: TextToSpeech, voice: VoiceEntry, text: str, kind: str) -> media.StoredAudio:
    voice_id = voice.voice_id_for(tts.name)

    def synthesize() -> tuple[bytes, int]:
        audio = tts.synthesize(text, voice_id, language=voice.tts_language)
        return audio.mp3, audio.duration_ms

    return media.stored_or_synthesized(media.audio_key(kind, tts.name, voice_id, text), synthesize)
