"""Voices: GET /voices and POST /workflows/preview-opening (both public), over HTTP against the local stack.

The MP3 URLs are fetched too: the stack serves them from its S3 (the sandbox TTS writes real MP3s).
"""

from __future__ import annotations

import pytest
import requests

from shared.providers.tts.mp3 import duration_ms
from tests.contract.helpers import JSON_CONTENT, MALFORMED_BODIES, assert_client_error, assert_error

OPENER = ("Hi, this is Priya, an automated AI assistant calling on behalf of Acme. This call is recorded. "
          "If you would rather not get these calls, just say stop.")
PERSONAS = ["amelia", "rohan", "kai", "anya", "leo", "priya"]
VOICE_FIELDS = {"id", "name", "language", "gender", "accent", "description", "sample_mp3_url"}


def _mp3_at(http: requests.Session, url: str) -> bytes:
    response = http.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:200]}"
    assert response.headers["Content-Type"].startswith("audio/mpeg")
    assert response.content[:2] in (b"\xff\xf3", b"\xff\xfb"), response.content[:16]
    return response.content


def test_a_preview_needs_no_credentials_and_plays(base_url: str, http: requests.Session) -> None:
    # When anyone previews an opener in a persona's voice
    response = http.post(f"{base_url}/workflows/preview-opening", json={"text": OPENER, "persona": "priya"})
    # Then they get the reference's fields, and the URL serves an MP3 as long as duration_ms says
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"mp3_url", "duration_ms"}
    assert body["duration_ms"] == duration_ms(_mp3_at(http, body["mp3_url"])) > 2000


@pytest.mark.parametrize("prefix", ["/api", "/v1"])
def test_a_preview_is_served_under_the_aliases(base_url: str, http: requests.Session, prefix: str) -> None:
    response = http.post(f"{base_url}{prefix}/workflows/preview-opening", json={"text": "Hello.", "persona": "kai"})
    assert response.status_code == 200, response.text


def test_the_same_preview_twice_is_the_same_file(base_url: str, http: requests.Session) -> None:
    body = {"text": "Thanks for your time today.", "persona": "anya"}
    first = http.post(f"{base_url}/workflows/preview-opening", json=body).json()
    assert http.post(f"{base_url}/workflows/preview-opening", json=body).json() == first


def test_an_unknown_persona_is_a_400_on_persona(base_url: str, http: requests.Session) -> None:
    response = http.post(f"{base_url}/workflows/preview-opening", json={"text": OPENER, "persona": "hal9000"})
    assert_error(response, 400, "UNKNOWN_PERSONA", "persona")


@pytest.mark.parametrize(("body", "field"), [
    ({"persona": "amelia"}, "text"),
    ({"text": "", "persona": "amelia"}, "text"),
    ({"text": "a" * 1001, "persona": "amelia"}, "text"),
    ({"text": 42, "persona": "amelia"}, "text"),
    ({"text": OPENER}, "persona"),
])
def test_invalid_previews_are_400s_naming_the_field(base_url: str, http: requests.Session, body: dict,
                                                    field: str) -> None:
    assert_error(http.post(f"{base_url}/workflows/preview-opening", json=body), 400, field=field)


@pytest.mark.parametrize("name", list(MALFORMED_BODIES))
def test_malformed_preview_bodies_are_client_errors(base_url: str, http: requests.Session, name: str) -> None:
    response = http.post(f"{base_url}/workflows/preview-opening", data=MALFORMED_BODIES[name], headers=JSON_CONTENT)
    assert_client_error(response)


def test_voices_are_six_english_personas_and_one_hindi_voice(base_url: str, http: requests.Session) -> None:
    response = http.get(f"{base_url}/voices")
    assert response.status_code == 200, response.text
    voices = response.json()["voices"]
    assert all(VOICE_FIELDS <= set(voice) for voice in voices)
    assert [voice["id"] for voice in voices if voice["language"].startswith("en")] == PERSONAS
    assert len([voice for voice in voices if voice["language"].startswith("hi")]) == 1


def test_every_voice_sample_plays(base_url: str, http: requests.Session) -> None:
    for voice in http.get(f"{base_url}/api/voices").json()["voices"]:
        assert duration_ms(_mp3_at(http, voice["sample_mp3_url"])) > 1000, voice["id"]


def test_a_preview_url_can_be_played_in_ranges(base_url: str, http: requests.Session) -> None:
    # Browsers' audio players seek with Range requests
    url = http.post(f"{base_url}/workflows/preview-opening", json={"text": "Seek me.", "persona": "leo"}).json()
    response = http.get(url["mp3_url"], headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.content) == 100
