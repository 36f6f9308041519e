"""The media bucket as data-subject requests see it (S3): a contact's recordings and export archives, the run
manifests that name the number. The only DSR code that talks to S3; a missing bucket or object reads as empty."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from shared.platform.aws import client
from shared.platform.settings import get_settings

_ABSENT = ("NoSuchKey", "NoSuchBucket", "404", "403")
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys a request


def keys_under(prefix: str) -> list[str]:
    """Every object key under the prefix (ListObjectsV2); none when the bucket does not exist."""
    keys: list[str] = []
    pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket=get_settings().media_bucket, Prefix=prefix)
    try:
        for page in pages:
            keys += [item["Key"] for item in page.get("Contents", [])]
    except ClientError as error:
        if _code(error) != "NoSuchBucket":
            raise
    return keys


def delete_keys(keys: list[str]) -> int:
    s3, bucket = client("s3"), get_settings().media_bucket
    for start in range(0, len(keys), _DELETE_BATCH):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys[start:start + _DELETE_BATCH]],
                                                 "Quiet": True})
    return len(keys)


def read_json(key: str) -> Any | None:
    """The object's JSON, or None when it (or the bucket) is not there."""
    try:
        return json.loads(client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read())
    except ClientError as error:
        if _code(error) in _ABSENT:
            return None
        raise


def write_json(key: str, value: Any) -> None:
    client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, ContentType="application/json",
                            Body=json.dumps(value, separators=(",", ":")).encode())


def read_bytes(key: str) -> bytes:
    return client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read()


def put_archive(key: str, body: bytes) -> str:
    """Store a ZIP and hand back a short-lived presigned URL to it."""
    settings, s3 = get_settings(), client("s3")
    s3.put_object(Bucket=settings.media_bucket, Key=key, Body=body, ContentType="application/zip")
    return s3.generate_presigned_url("get_object", Params={"Bucket": settings.media_bucket, "Key": key},
                                     ExpiresIn=settings.media_url_ttl_seconds)


def _code(error: ClientError) -> str | None:
    return error.response.get("Error", {}).get("Code")
