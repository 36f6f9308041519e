"""The Cartesia adapter against a local fake of `POST /tts/bytes`, over real HTTP."""

from __future__ import annotations

import pytest

from shared.platform.errors import Upstream
from shared.platform.settings import reset_settings
from shared.providers.tts.cartesia import CartesiaTextToSpeech
from shared.providers.tts.mp3 import duration_ms
from shared.providers.tts.sandbox import SandboxTextToSpeech
from shared.providers.tts.selection import get_tts
from tests.fakes.cartesia_api import FakeCartesiaApi


@pytest.fixture
def fake():
    with FakeCartesiaApi() as server:
        yield server


def test_the_request_is_cartesias_tts_bytes_shape(fake):
    # When we synthesize a line in a voice
    CartesiaTextToSpeech(api_key="sk_car_test", base_url=fake.base_url).synthesize("Hello there.", "voice-123",
                                                                                   language="hi")
    # Then Cartesia got its documented request: key and version headers, model, transcript, voice by id, MP3
    sent = fake.requests[0]
    assert sent.path == "/tts/bytes"
    assert sent.headers["x-api-key"] == "sk_car_test" and sent.headers["cartesia-version"]
    assert sent.body["transcript"] == "Hello there."
    assert sent.body["voice"] == {"mode": "id", "id": "voice-123"}
    assert sent.body["output_format"]["container"] == "mp3"
    assert {"sample_rate", "bit_rate"} <= set(sent.body["output_format"])
    assert sent.body["model_id"] and sent.body["language"] == "hi"


def test_the_answer_is_the_mp3_with_its_measured_duration(fake):
    audio = CartesiaTextToSpeech(api_key="k", base_url=fake.base_url).synthesize("One two three four.", "v")
    assert audio.mp3 == fake.last_mp3
    assert audio.duration_ms == duration_ms(fake.last_mp3) > 0


@pytest.mark.parametrize(("status", "code"), [(401, "TTS_AUTH_FAILED"), (403, "TTS_AUTH_FAILED"),
                                              (429, "TTS_UNAVAILABLE"), (500, "TTS_UNAVAILABLE")])
def test_provider_failures_are_502s(fake, status, code):
    fake.answer_status(status)
    with pytest.raises(Upstream) as failure:
        CartesiaTextToSpeech(api_key="k", base_url=fake.base_url).synthesize("Hi.", "v")
    assert (failure.value.status, failure.value.code) == (502, code)


def test_an_answer_that_is_not_an_mp3_is_a_502(fake):
    fake.raw_answer = b'{"not": "audio"}'
    with pytest.raises(Upstream) as failure:
        CartesiaTextToSpeech(api_key="k", base_url=fake.base_url).synthesize("Hi.", "v")
    assert failure.value.code == "TTS_BAD_AUDIO"


def test_an_unreachable_provider_is_a_502():
    with pytest.raises(Upstream) as failure:
        CartesiaTextToSpeech(api_key="k", base_url="http://127.0.0.1:9", timeout_seconds=2).synthesize("Hi.", "v")
    assert failure.value.code == "TTS_UNAVAILABLE"


def test_cartesia_is_selected_when_its_key_is_configured(monkeypatch, fake):
    monkeypatch.setenv("CARTESIA_API_KEY", "sk_car_test")
    monkeypatch.setenv("CARTESIA_BASE_URL", fake.base_url)
    reset_settings()
    assert isinstance(get_tts(), CartesiaTextToSpeech)


def test_the_sandbox_is_selected_without_a_key(monkeypatch):
    monkeypatch.delenv("CARTESIA_API_KEY", raising=False)
    reset_settings()
    assert isinstance(get_tts(), SandboxTextToSpeech)
