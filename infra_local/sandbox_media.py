"""`GET /_sandbox/media/<key>`: the laptop's stand-in for a presigned S3 URL of the media bucket.

In the cloud the functions hand out presigned GET URLs; locally moto's S3 lives inside this process,
so a URL under `PUBLIC_BASE_URL` + `MEDIA_PATH_PREFIX` + key serves the object from it instead (a
browser's audio player can play an opener preview). Local only: not a catalog route, never deployed.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote

from infra_local.http_adapter import HttpResponse, byte_range_response, error_response

MEDIA_PATH_PREFIX = "/_sandbox/media/"
# What S3 stores when the writer gave no Content-Type: then the key's extension says more.
GENERIC_CONTENT_TYPES = {"", "binary/octet-stream", "application/octet-stream"}
_MISSING = {"NoSuchKey", "NoSuchBucket", "404"}


def is_media_path(path: str) -> bool:
    return path.startswith(MEDIA_PATH_PREFIX)


def media_key(path: str) -> str:
    """The object key a media path names: everything after the prefix, percent-decoded."""
    return unquote(path[len(MEDIA_PATH_PREFIX):])


def media_response(path: str, range_header: str | None) -> HttpResponse:
    from botocore.exceptions import ClientError

    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    key = media_key(path)
    if not key:
        return _not_found()
    try:
        stored = client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING:
            return _not_found()
        raise
    return byte_range_response(stored["Body"].read(), content_type(key, stored.get("ContentType")), range_header)


def content_type(key: str, stored: str | None) -> str:
    """The stored Content-Type, unless it is a generic one and the extension is known (.mp3: audio/mpeg)."""
    if stored and stored.lower() not in GENERIC_CONTENT_TYPES:
        return stored
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or stored or "application/octet-stream"


def _not_found() -> HttpResponse:
    return error_response(404, "No media object at this key", "NOT_FOUND")
