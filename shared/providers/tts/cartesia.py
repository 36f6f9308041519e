"""Cartesia adapter: `POST /tts/bytes` over HTTP (stdlib urllib: no SDK in the Lambda layer).

The response body is the MP3 itself; its duration is measured from its frames, not estimated.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

from shared.platform.errors import Upstream
from shared.platform.observability import get_logger
from shared.providers.tts.mp3 import duration_ms
from shared.providers.tts.port import SynthesizedAudio

API_VERSION = "2025-04-16"  # the Cartesia-Version header: pinned, so responses do not drift
MODEL_ID = "sonic-3"
SAMPLE_RATE = 44_100
BIT_RATE = 128_000
# A preview is answered synchronously: leave room under API Gateway's 29 s for the S3 write.
TIMEOUT_SECONDS = 15.0


class CartesiaTextToSpeech:
    name = "cartesia"

    def __init__(self, api_key: str, base_url: str, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._api_key = api_key
        self._url = f"{base_url.rstrip('/')}/tts/bytes"
        self._timeout = timeout_seconds

    def synthesize(self, text: str, voice_id: str, language: str | None = None) -> SynthesizedAudio:
        body: dict = {
            "model_id": MODEL_ID,
            "transcript": text,
            "voice": {"mode": "id", "id": voice_id},
            "output_format": {"container": "mp3", "sample_rate": SAMPLE_RATE, "bit_rate": BIT_RATE},
        }
        if language:
            body["language"] = language
        mp3 = self._post(body)
        try:
            return SynthesizedAudio(mp3=mp3, duration_ms=duration_ms(mp3))
        except ValueError as error:
            raise Upstream("Text-to-speech returned audio that is not an MP3", code="TTS_BAD_AUDIO") from error

    def _post(self, body: dict) -> bytes:
        request = urllib.request.Request(
            self._url, data=json.dumps(body).encode(), method="POST",
            headers={"X-API-Key": self._api_key, "Cartesia-Version": API_VERSION,
                     "Content-Type": "application/json", "Accept": "audio/mpeg"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            get_logger().warning("cartesia refused", extra={"status": error.code})
            if error.code in (401, 403):
                raise Upstream("Text-to-speech provider rejected our credentials", code="TTS_AUTH_FAILED") from error
            raise Upstream(f"Text-to-speech provider answered {error.code}", code="TTS_UNAVAILABLE") from error
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as error:
            get_logger().warning("cartesia unreachable", extra={"error_type": type(error).__name__})
            raise Upstream("Text-to-speech provider is unreachable", code="TTS_UNAVAILABLE") from error
