"""Generated audio in the media bucket: content-addressed keys, stored once, handed out as URLs.

A key is the sha256 of everything that shapes the audio (adapter, voice, text), so the same line in
the same voice is synthesized once and every later request reuses the stored file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from shared.media import repository
from shared.platform.settings import get_settings

LOCAL_MEDIA_PATH = "/_sandbox/media"  # served from moto's S3 by the local stack (never deployed)


@dataclass(frozen=True)
class StoredAudio:
    url: str
    duration_ms: int


def audio_key(kind: str, *parts: str) -> str:
    """e.g. `audio/previews/<sha256>.mp3`; parts are joined with a separator no text contains."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"audio/{kind}/{digest}.mp3"


def url_for(key: str, ttl_seconds: int | None = None) -> str:
    """A presigned GET in the cloud (valid `ttl_seconds`, default the media TTL); on the local stack, the
    sandbox route that serves the bucket."""
    settings = get_settings()
    if settings.is_local:
        return f"{settings.public_base_url.rstrip('/')}{LOCAL_MEDIA_PATH}/{key}"
    return repository.presigned_get_url(key, ttl_seconds or settings.media_url_ttl_seconds)


def stored_or_synthesized(key: str, synthesize: Callable[[], tuple[bytes, int]]) -> StoredAudio:
    """The audio at `key`; when none is stored yet, `synthesize()` -> (mp3, duration_ms) makes it first."""
    duration = repository.audio_duration(key)
    if duration is None:
        mp3, duration = synthesize()
        repository.put_audio(key, mp3, duration)
    return StoredAudio(url=url_for(key), duration_ms=duration)
