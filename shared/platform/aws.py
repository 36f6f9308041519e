"""boto3 clients, created on first use and reused for the life of the container.

boto3 is imported here lazily: most requests only touch DynamoDB through pynamodb (botocore), so the
heavier boto3 import is paid only by the code paths that need SES, KMS, S3, etc.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    from shared.platform.settings import get_settings

    # SigV4 everywhere: presigned S3 URLs must not fall back to SigV2 in us-east-1.
    config = Config(signature_version="s3v4") if service == "s3" else None
    return boto3.session.Session().client(service, region_name=get_settings().aws_region, config=config)


@cache
def quick_client(service: str) -> Any:
    """A client for calls a request path makes on the side (publishing an event): short timeouts and two tries,
    so a slow or unreachable service costs the request at most a few seconds, never boto3's minutes."""
    import boto3
    from botocore.config import Config

    from shared.platform.settings import get_settings

    config = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"})
    return boto3.session.Session().client(service, region_name=get_settings().aws_region, config=config)


def reset_clients() -> None:
    client.cache_clear()
    quick_client.cache_clear()
