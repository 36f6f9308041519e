"""Voices and opener previews through the voice function, on moto's S3 (sandbox TTS)."""

from __future__ import annotations

import pytest

from shared.platform.aws import client
from shared.platform.settings import get_settings
from shared.providers.tts.mp3 import duration_ms
from shared.workflows.personas import PERSONAS

OPENER = "Hi, this is Amelia, an automated AI assistant calling for Acme. This call is recorded."
LOCAL_MEDIA = "http://testserver/_sandbox/media/"


def stored(url: str) -> bytes:
    assert url.startswith(LOCAL_MEDIA), url
    key = url.removeprefix(LOCAL_MEDIA)
    return client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read()


def test_a_preview_is_a_playable_mp3_whose_duration_is_the_files(api, bucket):
    # When anyone (no credentials) previews an opener
    reply = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "amelia"})
    # Then the URL points at an MP3 in the media bucket, and duration_ms is that file's own
    assert reply.status == 200, reply.body
    mp3 = stored(reply.body["mp3_url"])
    assert mp3[:2] in (b"\xff\xf3", b"\xff\xfb")
    assert reply.body["duration_ms"] == duration_ms(mp3) > 1000


def test_a_preview_is_served_under_the_api_alias_too(api, bucket):
    assert api.post("/api/workflows/preview-opening", {"text": OPENER, "persona": "rohan"}).status == 200


def test_the_same_line_and_voice_are_stored_once(api, bucket):
    first = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "kai"}).body
    second = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "kai"}).body
    assert first == second
    keys = client("s3").list_objects_v2(Bucket=bucket, Prefix="audio/previews/").get("Contents", [])
    assert len(keys) == 1


def test_another_voice_is_another_file(api, bucket):
    kai = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "kai"}).body
    leo = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "leo"}).body
    assert kai["mp3_url"] != leo["mp3_url"]


def test_an_unknown_persona_is_a_400_on_persona(api, bucket):
    reply = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "zed"})
    assert (reply.status, reply.body["code"], reply.body["field"]) == (400, "UNKNOWN_PERSONA", "persona")


@pytest.mark.parametrize(("body", "field"), [
    ({"persona": "amelia"}, "text"),
    ({"text": "", "persona": "amelia"}, "text"),
    ({"text": "   ", "persona": "amelia"}, "text"),
    ({"text": "x" * 1001, "persona": "amelia"}, "text"),
    ({"text": "bell\x07", "persona": "amelia"}, "text"),
    ({"text": "Hello"}, "persona"),
])
def test_bad_preview_requests_are_400s_naming_the_field(api, bucket, body, field):
    reply = api.post("/workflows/preview-opening", body)
    assert (reply.status, reply.body["field"]) == (400, field)


def test_a_text_of_1000_characters_is_accepted(api, bucket):
    assert api.post("/workflows/preview-opening", {"text": "la " * 333 + "x", "persona": "anya"}).status == 200


def test_voices_lists_six_english_personas_and_one_hindi_voice(api, bucket):
    reply = api.get("/voices")
    assert reply.status == 200, reply.body
    voices = reply.body["voices"]
    english = [voice["id"] for voice in voices if voice["language"].startswith("en")]
    hindi = [voice for voice in voices if voice["language"].startswith("hi")]
    assert english == list(PERSONAS) and len(hindi) == 1
    for voice in voices:
        assert {"id", "name", "language", "gender", "accent", "description", "sample_mp3_url"} <= set(voice)


def test_every_voice_sample_plays(api, bucket):
    for voice in api.get("/voices").body["voices"]:
        assert duration_ms(stored(voice["sample_mp3_url"])) > 1000, voice["id"]


def test_samples_are_synthesized_once_and_reused(api, bucket):
    first = api.get("/voices").body
    objects = client("s3").list_objects_v2(Bucket=bucket, Prefix="audio/samples/")["Contents"]
    assert api.get("/voices").body == first
    again = client("s3").list_objects_v2(Bucket=bucket, Prefix="audio/samples/")["Contents"]
    assert len(objects) == 7 and [o["LastModified"] for o in again] == [o["LastModified"] for o in objects]
