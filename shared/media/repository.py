"""The media bucket (S3): the only code here that calls boto3.

Audio objects carry their duration in object metadata, so a cached file answers without re-reading it.
"""

from __future__ import annotations

from shared.platform.aws import client
from shared.platform.settings import get_settings

DURATION_METADATA = "duration-ms"


def audio_duration(key: str) -> int | None:
    """The stored duration of the audio at `key`, or None when nothing is stored there yet."""
    from botocore.exceptions import ClientError

    try:
        head = client("s3").head_object(Bucket=get_settings().media_bucket, Key=key)
    except ClientError as error:
        # Without s3:ListBucket (we grant object actions only), S3 answers 403, not 404, for a missing key.
        if error.response.get("Error", {}).get("Code") in ("403", "404", "NoSuchKey", "NotFound", "Forbidden"):
            return None
        raise
    duration = head.get("Metadata", {}).get(DURATION_METADATA)
    return int(duration) if duration and duration.isdigit() else None


def put_audio(key: str, mp3: bytes, duration_ms: int) -> None:
    client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=mp3, ContentType="audio/mpeg",
                            CacheControl="public, max-age=31536000, immutable",  # content-addressed
                            Metadata={DURATION_METADATA: str(duration_ms)})


def presigned_get_url(key: str, ttl_seconds: int) -> str:
    return client("s3").generate_presigned_url("get_object", Params={"Bucket": get_settings().media_bucket, "Key": key},
                                               ExpiresIn=ttl_seconds)


def put_recording(key: str, body, content_type: str, duration_ms: int) -> None:
    """A call's recording (a file object or bytes). No SSE parameters: the bucket's default encryption applies
    (asking for `aws:kms` without a key id would pick the account's aws/s3 key instead of the bucket's)."""
    client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=body, ContentType=content_type,
                            CacheControl="private, no-store", Metadata={DURATION_METADATA: str(duration_ms)})
