"""The media bucket: call recordings, audience uploads, generated audio (opener previews), dialer manifests and DSR
export bundles.

Choices, briefly:
- SSE-KMS under a customer-managed key of its own (rotated yearly), not SSE-S3: recordings are the most
  sensitive data the platform keeps (RULES: encrypted at rest, served only by short-lived presigned URL), and a
  key of our own makes every use auditable (CloudTrail) and revocable — disabling the key stops every read at
  once. S3 Bucket Keys are on: S3 asks KMS for a bucket-level key now and then instead of once per object, so
  presigned GETs and recording uploads do not each cost a KMS request (cost, quota).
- Who may use the key is granted beside each S3 grant (`key_use`): `kms:Decrypt` to whoever reads objects —
  including whoever *signs* a presigned GET, because S3 decrypts with the signer's rights — and
  `kms:GenerateDataKey` to whoever writes them; only through S3 in this region and only for this bucket (the
  encryption context of a bucket key is the bucket's ARN). Deleting or listing needs no key.
- Versioning off: previews are regenerable and uploads are superseded; old versions would keep phone
  numbers past their lifecycle expiry and past a DSR erase, which must really delete.
- Access logs go to a small log bucket of their own (who fetched an audience file is an audit question); it
  stays SSE-S3, because S3 log delivery and load-balancer logs cannot write under a KMS key.
- Both buckets and the key are retained on stack deletion: tenant data never disappears with a `cdk destroy`,
  and a retained bucket without its key would be unreadable.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
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
KEY_DESCRIPTION = "Encrypts CallFunnel's media bucket: call recordings, uploads, previews, manifests, DSR exports"
#: Reading an object (GetObject, or signing a presigned GET of it) and writing one (a single PutObject).
KEY_READ_ACTIONS = ["kms:Decrypt"]
KEY_WRITE_ACTIONS = ["kms:GenerateDataKey"]


def _private_bucket_settings() -> dict:
    """What both buckets share: private, TLS only, ACLs disabled, retained (each chooses its encryption)."""
    return {
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "enforce_ssl": True,
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
            encryption=s3.BucketEncryption.S3_MANAGED,
            **_private_bucket_settings(),
        )
        self.key = kms.Key(self, "Key", description=KEY_DESCRIPTION, enable_key_rotation=True,
                           removal_policy=RemovalPolicy.RETAIN)
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
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
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

    def key_use(self, sid: str, actions: list[str]) -> iam.PolicyStatement:
        """The media key for S3 requests on this bucket only: through S3 in this stack's region, with the bucket's
        encryption context (with S3 Bucket Keys, S3 names the bucket's ARN, not the object's)."""
        return iam.PolicyStatement(
            sid=sid, actions=actions, resources=[self.key.key_arn],
            conditions={"StringEquals": {
                "kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": self.bucket.bucket_arn,
            }},
        )
