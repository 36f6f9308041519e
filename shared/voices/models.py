"""What the voice routes return."""

from __future__ import annotations

from pydantic import BaseModel


class VoiceView(BaseModel):
    id: str
    name: str
    language: str
    gender: str
    accent: str
    description: str
    sample_mp3_url: str


class OpeningPreview(BaseModel):
    mp3_url: str
    duration_ms: int
