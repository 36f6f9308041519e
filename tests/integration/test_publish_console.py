"""`python -m infra_cdk.publish_console` puts the console's build in the stack's bucket, index.html last (on moto)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra_cdk.publish_console import ASSET_CACHE_CONTROL, INDEX_CACHE_CONTROL, publish

BUCKET = "callfunnel-console-files"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / ".vite").mkdir()
    (tmp_path / "index.html").write_text('<script type="module" src="/assets/index-abc.js"></script>')
    (tmp_path / "assets" / "index-abc.js").write_text("export {}")
    (tmp_path / "assets" / "index-def.css").write_text("body{}")
    (tmp_path / ".vite" / "manifest.json").write_text("{}")
    (tmp_path / ".built").write_text("")
    return tmp_path


def test_assets_go_up_first_cached_for_a_year_then_index_uncached_then_index_is_invalidated(dist: Path) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        distribution_id = cloudfront.create_distribution(DistributionConfig={
            "CallerReference": "test", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "files", "DomainName": f"{BUCKET}.s3.amazonaws.com",
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "files", "ViewerProtocolPolicy": "https-only",
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        })["Distribution"]["Id"]

        written = publish(dist, bucket=BUCKET, distribution_id=distribution_id, s3=s3, cloudfront=cloudfront)

        assert written == ["assets/index-abc.js", "assets/index-def.css", "index.html"]
        assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]) == sorted(written)
        script = s3.get_object(Bucket=BUCKET, Key="assets/index-abc.js")
        assert script["CacheControl"] == ASSET_CACHE_CONTROL
        assert script["ContentType"] == "text/javascript; charset=utf-8"
        index = s3.get_object(Bucket=BUCKET, Key="index.html")
        assert index["CacheControl"] == INDEX_CACHE_CONTROL
        assert index["ContentType"] == "text/html; charset=utf-8"
        (invalidation,) = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]["Items"]
        paths = cloudfront.get_invalidation(DistributionId=distribution_id, Id=invalidation["Id"])
        assert sorted(paths["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]) == ["/", "/index.html"]


def test_nothing_is_published_without_a_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make console"):
        publish(tmp_path, bucket=BUCKET, distribution_id="E123", s3=object(), cloudfront=object())
