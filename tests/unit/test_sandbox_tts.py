"""The sandbox TTS writes a real MP3 whose length follows the text, and reports its true duration."""

from __future__ import annotations

import pytest

from shared.providers.tts.mp3 import audio_frames, duration_ms
from shared.providers.tts.sandbox import SandboxTextToSpeech, syllable_count

LINE = "Hi, this is Amelia, an automated AI assistant calling for Acme. This call is recorded."


def test_the_file_is_mpeg_audio_layer_iii_frame_after_frame():
    mp3 = SandboxTextToSpeech().synthesize(LINE, "amelia").mp3
    assert mp3[0] == 0xFF and mp3[1] in (0xF3, 0xFB)
    frames = audio_frames(mp3)  # raises unless the whole file is consecutive Layer III frames
    assert len(frames) > 10 and all(frame.channels == 1 for frame in frames)


def test_the_duration_is_the_files_own():
    audio = SandboxTextToSpeech().synthesize(LINE, "amelia")
    frames = audio_frames(audio.mp3)
    assert audio.duration_ms == round(sum(f.samples / f.sample_rate for f in frames) * 1000)


def test_speech_runs_at_about_150_words_a_minute():
    text = " ".join(["campaign renewal offer today"] * 30)  # 120 words
    minutes = SandboxTextToSpeech().synthesize(text, "amelia").duration_ms / 60_000
    assert 110 <= 120 / minutes <= 190


def test_longer_text_plays_longer():
    sandbox = SandboxTextToSpeech()
    short, long = sandbox.synthesize("Hello.", "kai"), sandbox.synthesize("Hello. " * 20, "kai")
    assert long.duration_ms > 5 * short.duration_ms


def test_the_same_text_and_voice_give_the_same_bytes():
    sandbox = SandboxTextToSpeech()
    assert sandbox.synthesize(LINE, "leo").mp3 == sandbox.synthesize(LINE, "leo").mp3


def test_voices_sound_different():
    sandbox = SandboxTextToSpeech()
    assert sandbox.synthesize(LINE, "leo").mp3 != sandbox.synthesize(LINE, "anya").mp3


def test_hindi_text_is_spoken_too():
    audio = SandboxTextToSpeech().synthesize("नमस्ते, मैं काव्या हूँ। यह कॉल रिकॉर्ड की जा सकती है।", "kavya")
    assert audio.duration_ms > 1500


@pytest.mark.parametrize(("word", "count"), [("call", 1), ("renewal", 3), ("AI,", 1), ("—", 0), ("नमस्ते", 2)])
def test_syllables_are_estimated_per_word(word, count):
    assert syllable_count(word) == count


def test_bytes_that_are_not_mp3_are_refused():
    with pytest.raises(ValueError):
        duration_ms(b"RIFF....WAVEfmt ")
