"""Publish the console's build to the stack's console bucket: `python -m infra_cdk.publish_console [--stack NAME]`.

`make deploy` runs it after `cdk deploy` (the stack defines the bucket and the distribution, not the files: see
infra_cdk/constructs/console_site.py). Order matters for open tabs and caches: the content-hashed assets go up first
(cached for a year, never deleted, so a page loaded before the deploy keeps working), then index.html (never cached),
then CloudFront forgets its copy of index.html.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3

from infra_cdk.app import STACK_NAME

REPO_ROOT = Path(__file__).resolve().parents[1]
CONSOLE_DIST = REPO_ROOT / "console" / "dist"
INDEX = "index.html"
INDEX_CACHE_CONTROL = "no-cache"
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".woff2": "font/woff2"}


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    cache_control: str
    content_type: str


def uploads(dist: Path) -> list[Upload]:
    """What to upload, in order: every file under assets/, then index.html (nothing else of dist: no manifest)."""
    index = dist / INDEX
    if not index.is_file():
        raise FileNotFoundError(f"{index} is missing: build the console first (make console)")
    assets = sorted(path for path in (dist / "assets").rglob("*") if path.is_file())
    ordered = [(path, ASSET_CACHE_CONTROL) for path in assets] + [(index, INDEX_CACHE_CONTROL)]
    return [Upload(key=path.relative_to(dist).as_posix(), path=path, cache_control=cache_control,
                   content_type=CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
                   or "application/octet-stream")
            for path, cache_control in ordered]


def publish(dist: Path, *, bucket: str, distribution_id: str, s3=None, cloudfront=None) -> list[str]:
    """Upload the build and invalidate index.html; returns the keys in the order they were written."""
    s3 = s3 or boto3.client("s3")
    cloudfront = cloudfront or boto3.client("cloudfront")
    written = []
    for upload in uploads(dist):
        s3.put_object(Bucket=bucket, Key=upload.key, Body=upload.path.read_bytes(),
                      CacheControl=upload.cache_control, ContentType=upload.content_type)
        written.append(upload.key)
    cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
        "Paths": {"Quantity": 2, "Items": ["/", f"/{INDEX}"]},
        "CallerReference": f"publish-console-{time.time_ns()}",
    })
    return written


def stack_outputs(stack_name: str, cloudformation=None) -> dict[str, str]:
    cloudformation = cloudformation or boto3.client("cloudformation")
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default=STACK_NAME)
    parser.add_argument("--dist", type=Path, default=CONSOLE_DIST)
    arguments = parser.parse_args(argv)
    outputs = stack_outputs(arguments.stack)
    written = publish(arguments.dist, bucket=outputs["ConsoleBucketName"],
                      distribution_id=outputs["ConsoleDistributionId"])
    print(f"Published {len(written)} console files; the console is at {outputs['ConsoleUrl']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
