"""The sandbox TTS (previews and voice samples): a real MP3 of espeak-ng speech in the persona's own espeak voice —
speech that Silero, the voice plane's VAD, hears as speech — and, where espeak-ng is not installed (a Lambda), the
tone renderer: an MP3 whose length follows the text. Both report the file's own duration."""

from __future__ import annotations

import io

import pytest

from shared.providers.tts import sandbox
from shared.providers.tts.espeak import EspeakVoice
from shared.providers.tts.mp3 import audio_frames, duration_ms
from shared.providers.tts.sandbox import SandboxTextToSpeech, espeak_voice_for, syllable_count
from shared.voices.catalogue import VOICES, find_voice

LINE = "Hi, this is Amelia, an automated AI assistant calling for Acme. This call is recorded."
HINDI = "नमस्ते, मैं काव्या हूँ। यह कॉल रिकॉर्ड की जा सकती है।"


def speech_ms(mp3: bytes) -> int:
    """How much of the MP3 Silero (the voice plane's VAD model) hears as speech, in ms."""
    import numpy as np
    import soundfile
    from pipecat.audio.vad.silero import SileroVADAnalyzer

    samples, rate = soundfile.read(io.BytesIO(mp3), dtype="int16")
    vad = SileroVADAnalyzer(sample_rate=rate)
    vad.set_sample_rate(rate)
    pcm, window = np.asarray(samples, dtype=np.int16).tobytes(), 2 * vad.num_frames_required()
    voiced = sum(1 for start in range(0, len(pcm) - window + 1, window)
                 if vad.voice_confidence(pcm[start:start + window]) >= 0.7)
    return voiced * 1000 * window // (2 * rate)


@pytest.fixture
def without_espeak(monkeypatch):
    monkeypatch.setattr(sandbox, "espeak_available", lambda: False)


def test_a_preview_is_speech_that_silero_hears_not_tones(monkeypatch):
    spoken = SandboxTextToSpeech().synthesize(LINE, "en-gb-x-rp+f3").mp3
    monkeypatch.setattr(sandbox, "espeak_available", lambda: False)
    tones = SandboxTextToSpeech().synthesize(LINE, "en-gb-x-rp+f3").mp3
    assert speech_ms(spoken) > 3000
    assert speech_ms(tones) < 1500  # what the previews were before: beeps (a harmonic here and there passes)


def test_the_speech_is_mpeg_audio_layer_iii_with_its_own_duration():
    audio = SandboxTextToSpeech().synthesize(LINE, "en-us+f2")
    frames = audio_frames(audio.mp3)  # raises unless the whole file is consecutive Layer III frames
    assert audio.mp3[0] == 0xFF and len(frames) > 10 and all(frame.channels == 1 for frame in frames)
    assert audio.duration_ms == round(sum(f.samples / f.sample_rate for f in frames) * 1000)
    assert 3000 < audio.duration_ms < 9000


def test_each_persona_speaks_in_its_own_voice():
    tts = SandboxTextToSpeech()
    previews = {voice.id: tts.synthesize(LINE, voice.voice_id_for(tts.name)).mp3 for voice in VOICES}
    assert len(set(previews.values())) == len(VOICES)
    assert find_voice("kavya").voice_id_for("sandbox") == "hi+f3"
    assert find_voice("kavya").voice_id_for("cartesia") == find_voice("kavya").provider_voice_id


def test_the_hindi_persona_speaks_hindi():
    audio = SandboxTextToSpeech().synthesize(HINDI, "hi+f3", language="hi")
    assert audio.duration_ms > 1500 and speech_ms(audio.mp3) > 1000


def test_the_same_text_and_voice_give_the_same_bytes():
    tts = SandboxTextToSpeech()
    assert tts.synthesize(LINE, "en+m3").mp3 == tts.synthesize(LINE, "en+m3").mp3


@pytest.mark.parametrize(("voice_id", "language", "voice"), [
    ("en-gb-x-rp+f3", None, EspeakVoice("en-gb-x-rp", "f3")),
    ("hi+f3", "hi", EspeakVoice("hi", "f3")),
    ("cartesia-placeholder-kavya", "hi", EspeakVoice("hi")),  # not an espeak voice: the language's default
    ("amelia", None, EspeakVoice("en-us")),
])
def test_a_voice_id_names_an_espeak_voice_or_falls_back_to_the_languages(voice_id, language, voice):
    assert espeak_voice_for(voice_id, language) == voice


# --- Without espeak-ng (a Lambda): tones ---------------------------------------------------------------------------

def test_without_espeak_the_file_is_still_mpeg_audio_frame_after_frame(without_espeak):
    mp3 = SandboxTextToSpeech().synthesize(LINE, "en-gb-x-rp+f3").mp3
    assert mp3[0] == 0xFF and mp3[1] in (0xF3, 0xFB)
    frames = audio_frames(mp3)
    assert len(frames) > 10 and all(frame.channels == 1 for frame in frames)


def test_without_espeak_the_duration_is_the_files_own(without_espeak):
    audio = SandboxTextToSpeech().synthesize(LINE, "en-gb-x-rp+f3")
    frames = audio_frames(audio.mp3)
    assert audio.duration_ms == round(sum(f.samples / f.sample_rate for f in frames) * 1000)


def test_without_espeak_tones_run_at_about_150_words_a_minute(without_espeak):
    text = " ".join(["campaign renewal offer today"] * 30)  # 120 words
    minutes = SandboxTextToSpeech().synthesize(text, "en-us+m1").duration_ms / 60_000
    assert 110 <= 120 / minutes <= 190


def test_without_espeak_longer_text_plays_longer(without_espeak):
    tts = SandboxTextToSpeech()
    short, long = tts.synthesize("Hello.", "en-us+m1"), tts.synthesize("Hello. " * 20, "en-us+m1")
    assert long.duration_ms > 5 * short.duration_ms


def test_without_espeak_voices_still_sound_different(without_espeak):
    tts = SandboxTextToSpeech()
    assert tts.synthesize(LINE, "en-gb-x-gbclan+m7").mp3 != tts.synthesize(LINE, "en-us+f2").mp3


def test_without_espeak_hindi_text_is_rendered_too(without_espeak):
    assert SandboxTextToSpeech().synthesize(HINDI, "hi+f3").duration_ms > 1500


@pytest.mark.parametrize(("word", "count"), [("call", 1), ("renewal", 3), ("AI,", 1), ("—", 0), ("नमस्ते", 2)])
def test_syllables_are_estimated_per_word(word, count):
    assert syllable_count(word) == count


def test_bytes_that_are_not_mp3_are_refused():
    with pytest.raises(ValueError):
        duration_ms(b"RIFF....WAVEfmt ")
