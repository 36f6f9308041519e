"""The media bucket: audience uploads, generated audio (opener previews, later recordings and reports).

Choices, briefly:
- SSE-S3, not the table's KMS key: objects are handed out as presigned URLs that browsers and Twilio
  fetch on every play; with SSE-KMS each GET is a KMS call on the call path (quota and cost) and every
  media function would need KMS rights. Encryption at rest is still AES-256; access is IAM-only.
- Versioning off: previews are regenerable and uploads are superseded; old versions would keep phone
  numbers past their lifecycle expiry and past a DSR erase, which must really delete.
- Access logs go to a small log bucket of their own (who fetched an audience file is an audit question).
- Both buckets are retained on stack deletion: tenant data never disappears with a `cdk destroy`.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

#: Key prefixes the application writes under, and how long their objects live.
PREVIEW_AUDIO_PREFIX = "audio/previews/"
UPLOADS_PREFIX = "uploads/"
PREVIEW_AUDIO_DAYS = 30
UPLOADS_DAYS = 90
#: Dialer manifests (the run's numbers for the Distributed Map): personal data, needed only while the run runs.
MANIFESTS_PREFIX = "manifests/"
MANIFESTS_DAYS = 7
#: DSR export bundles (a contact's recordings, zipped): handed out by presigned URL, then gone.
DSR_EXPORTS_PREFIX = "dsr/"
DSR_EXPORTS_DAYS = 7
ACCESS_LOG_DAYS = 365
ACCESS_LOG_PREFIX = "media/"
#: Multipart uploads that never complete still cost storage until aborted.
INCOMPLETE_UPLOAD_DAYS = 7


def _private_bucket_settings() -> dict:
    """What both buckets share: private, TLS only, ACLs disabled, S3-managed encryption, retained."""
    return {
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "enforce_ssl": True,
        "encryption": s3.BucketEncryption.S3_MANAGED,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "versioned": False,
        "removal_policy": RemovalPolicy.RETAIN,
    }


class MediaBucket(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Server access logs must be SSE-S3 (the log delivery service cannot use a KMS key).
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            lifecycle_rules=[s3.LifecycleRule(id="ExpireAccessLogs", expiration=Duration.days(ACCESS_LOG_DAYS))],
            **_private_bucket_settings(),
        )
        # No access logs of its own, and no finding: cdk-nag (S1) accepts a bucket that is the log
        # destination of another; logging it into itself would loop.
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=ACCESS_LOG_PREFIX,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpirePreviewAudio", prefix=PREVIEW_AUDIO_PREFIX, expiration=Duration.days(PREVIEW_AUDIO_DAYS)
                ),
                s3.LifecycleRule(id="ExpireUploads", prefix=UPLOADS_PREFIX, expiration=Duration.days(UPLOADS_DAYS)),
                s3.LifecycleRule(id="ExpireDialerManifests", prefix=MANIFESTS_PREFIX,
                                 expiration=Duration.days(MANIFESTS_DAYS)),
                s3.LifecycleRule(id="ExpireDsrExports", prefix=DSR_EXPORTS_PREFIX,
                                 expiration=Duration.days(DSR_EXPORTS_DAYS)),
                s3.LifecycleRule(
                    id="AbortIncompleteUploads",
                    abort_incomplete_multipart_upload_after=Duration.days(INCOMPLETE_UPLOAD_DAYS),
                ),
            ],
            **_private_bucket_settings(),
        )

    @property
    def logical_id(self) -> str:
        """The bucket's logical id, as cdk-nag names it in findings about grants on it."""
        return Stack.of(self).get_logical_id(cast(CfnResource, self.bucket.node.default_child))

    @property
    def objects_arn(self) -> str:
        """Every object of the bucket (grants are on objects; nothing lists or reconfigures the bucket)."""
        return self.bucket.arn_for_objects("*")
