"""Public voice routes: the voice catalogue with playable samples, and opener previews.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.auth.abuse_limits import limit_previews_per_source_ip
from shared.voices.catalogue import VOICES
from shared.voices.models import OpeningPreview, VoiceView

router = APIGatewayHttpRouter()
TAGS = ["Voices"]


def _speakable(text: str) -> str:
    if any((ord(char) < 32 and char not in "\n\r\t") or ord(char) == 127 for char in text):
        raise ValueError("must not contain control characters")
    return text


#: What `_speakable` and the stripping accept: no control character but tab/CR/LF, and one that is not
#: whitespace (C1 spelled out: U+0085 is whitespace to Python's `strip` but not to the schema's `\s`).
SPEAKABLE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class PreviewOpeningRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
                    AfterValidator(_speakable), Field(json_schema_extra={"pattern": SPEAKABLE_PATTERN},
                                                      examples=["Hi, this is Amelia from Acme."])]
    # The schema lists the catalogue's voices; the service also takes them in any case (UNKNOWN_PERSONA else).
    persona: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
                       Field(json_schema_extra={"enum": [voice.id for voice in VOICES]}, examples=["amelia"])]


class VoiceList(BaseModel):
    voices: list[VoiceView]


@router.get("/voices", summary="The voice personas (6 English, 1 Hindi) with playable sample MP3s", tags=TAGS)
def list_voices() -> VoiceList:
    from shared.voices import service

    return VoiceList(voices=service.list_voices())


@router.post("/workflows/preview-opening", summary="Speak a script line in a persona's voice; returns an MP3 URL",
             tags=TAGS, middlewares=[limit_previews_per_source_ip])  # public, and speech costs money
def preview_opening(body: Annotated[PreviewOpeningRequest, Body()]) -> OpeningPreview:
    from shared.voices import service

    return service.preview_opening(body.text, body.persona)
