"""Which TTS adapter runs: Cartesia when its API key is configured, else the offline sandbox writer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.providers.tts.port import TextToSpeech


def get_tts() -> "TextToSpeech":
    from shared.platform.settings import get_settings

    settings = get_settings()
    if settings.cartesia_api_key is not None:
        from shared.providers.tts.cartesia import CartesiaTextToSpeech

        return CartesiaTextToSpeech(api_key=settings.cartesia_api_key.get_secret_value(),
                                    base_url=settings.cartesia_base_url)
    from shared.providers.tts.sandbox import SandboxTextToSpeech

    return SandboxTextToSpeech()
