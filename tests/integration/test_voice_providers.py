"""Where previews come from and how they are handed out: Cartesia when configured, presigned URLs in
the cloud."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from shared.platform.aws import client
from shared.platform.settings import get_settings, reset_settings
from tests.fakes.cartesia_api import FakeCartesiaApi
from tests.integration.test_voice import OPENER, stored


@pytest.fixture
def cartesia(monkeypatch, api):
    with FakeCartesiaApi() as fake:
        monkeypatch.setenv("CARTESIA_API_KEY", "sk_car_test")
        monkeypatch.setenv("CARTESIA_BASE_URL", fake.base_url)
        reset_settings()
        yield fake
    reset_settings()


def test_with_a_cartesia_key_the_preview_is_cartesias_audio(api, bucket, cartesia):
    reply = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "priya"})
    assert reply.status == 200, reply.body
    assert cartesia.requests[0].body["transcript"] == OPENER
    assert cartesia.requests[0].body["voice"]["id"] == "cartesia-placeholder-priya"
    assert stored(reply.body["mp3_url"]) == cartesia.last_mp3


def test_a_failing_cartesia_is_a_502_in_the_contracts_shape(api, bucket, cartesia):
    cartesia.answer_status(500)
    reply = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "priya"})
    assert (reply.status, reply.body["code"]) == (502, "TTS_UNAVAILABLE")


def test_in_the_cloud_the_url_is_a_presigned_get_that_expires(api, bucket, monkeypatch):
    monkeypatch.setenv("CALLFUNNEL_ENVIRONMENT", "aws")
    reset_settings()
    reply = api.post("/workflows/preview-opening", {"text": OPENER, "persona": "leo"})
    assert reply.status == 200, reply.body
    url = urlsplit(reply.body["mp3_url"])
    query = parse_qs(url.query)
    assert get_settings().media_bucket in url.netloc + url.path and url.path.endswith(".mp3")
    # botocore signs with SigV2 or SigV4 depending on the region: either way, signed and expiring
    signed_v4 = query.get("X-Amz-Expires") == [str(get_settings().media_url_ttl_seconds)] and "X-Amz-Signature" in query
    signed_v2 = "Expires" in query and "Signature" in query
    assert signed_v4 or signed_v2, reply.body["mp3_url"]
    key = url.path.split(f"{get_settings().media_bucket}/", 1)[-1].lstrip("/")
    assert client("s3").head_object(Bucket=bucket, Key=key)["ContentType"] == "audio/mpeg"


def test_a_403_on_a_missing_key_counts_as_not_stored_yet(api, bucket):
    # Given S3 answers HeadObject with 403, as it does for a missing key without s3:ListBucket (our grants)
    from botocore.stub import Stubber

    from shared.media import repository

    with Stubber(client("s3")) as s3:
        s3.add_client_error("head_object", service_error_code="403", http_status_code=403)
        # Then the audio is treated as not stored yet (it is synthesized and written), not as a failure
        assert repository.audio_duration("audio/previews/missing.mp3") is None
