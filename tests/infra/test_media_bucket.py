"""The media bucket (recordings, uploads, generated audio): private, TLS only, encrypted under its own KMS key,
expiring, logged, retained."""

from __future__ import annotations

import pytest

from infra_cdk.constructs.media_bucket import KEY_DESCRIPTION
from infra_cdk.constructs.voice_plane import ACCESS_LOG_SID as VOICE_ALB_LOGS_SID
from tests.infra.synthesis import Resource, Synthesis
from tests.infra.template_queries import bucket_policy_statements, media_buckets, referenced_id

pytestmark = pytest.mark.infra

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def _bucket(synthesis: Synthesis, which: str) -> tuple[str, Resource]:
    media_id, logs_id = media_buckets(synthesis)
    logical_id = media_id if which == "media" else logs_id
    return logical_id, synthesis.resources[logical_id]


both_buckets = pytest.mark.parametrize("which", ["media", "access logs"])


def test_the_stack_has_the_media_bucket_and_its_access_log_bucket_only(synthesis: Synthesis) -> None:
    media_id, logs_id = media_buckets(synthesis)

    assert media_id != logs_id
    # Besides the console's files and its distribution's logs (tests/infra/test_console_site.py).
    console_buckets = {bucket for bucket in synthesis.of_type("AWS::S3::Bucket") if bucket.startswith("Console")}
    assert set(synthesis.of_type("AWS::S3::Bucket")) - console_buckets == {media_id, logs_id}


@both_buckets
def test_bucket_blocks_every_kind_of_public_access_and_disables_acls(synthesis: Synthesis, which: str) -> None:
    _, bucket = _bucket(synthesis, which)

    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == BLOCK_ALL
    assert bucket["Properties"]["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


@both_buckets
def test_bucket_refuses_every_request_without_tls(synthesis: Synthesis, which: str) -> None:
    bucket_id, _ = _bucket(synthesis, which)
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}

    (deny,) = [s for s in bucket_policy_statements(synthesis, bucket_id) if s["Effect"] == "Deny"]

    assert deny["Action"] == "s3:*"
    assert deny["Principal"] == {"AWS": "*"}
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [bucket_arn, {"Fn::Join": ["", [bucket_arn, "/*"]]}]


def test_the_media_bucket_encrypts_objects_with_its_own_rotating_kms_key_and_bucket_keys(synthesis: Synthesis) -> None:
    # Recordings (RULES: encrypted at rest) under a customer-managed key; S3 Bucket Keys spare a KMS request per object.
    _, bucket = _bucket(synthesis, "media")

    (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]

    key_id = referenced_id(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"])
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms" and rule["BucketKeyEnabled"] is True
    key = synthesis.resources[key_id]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["Description"] == KEY_DESCRIPTION
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Retain", "Retain")  # or the bucket is unreadable


def test_the_access_log_bucket_stays_s3_managed_because_log_delivery_cannot_use_a_kms_key(synthesis: Synthesis) -> None:
    _, bucket = _bucket(synthesis, "access logs")

    (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]

    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


@both_buckets
def test_bucket_keeps_no_old_versions(synthesis: Synthesis, which: str) -> None:
    # An erased or expired audience file must really be gone (DSR erase), not kept as a noncurrent version.
    _, bucket = _bucket(synthesis, which)

    assert "VersioningConfiguration" not in bucket["Properties"]


@both_buckets
def test_bucket_survives_stack_deletion(synthesis: Synthesis, which: str) -> None:
    _, bucket = _bucket(synthesis, which)

    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["UpdateReplacePolicy"] == "Retain"


def test_previews_expire_after_30_days_uploads_after_90_and_dialer_manifests_after_7(synthesis: Synthesis) -> None:
    _, bucket = _bucket(synthesis, "media")

    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    expiry_by_prefix = {rule["Prefix"]: rule["ExpirationInDays"] for rule in rules if "Prefix" in rule}

    assert expiry_by_prefix == {"audio/previews/": 30, "uploads/": 90, "manifests/": 7, "dsr/": 7}
    assert all(rule["Status"] == "Enabled" for rule in rules)


def test_no_lifecycle_rule_expires_the_whole_media_bucket(synthesis: Synthesis) -> None:
    # Given recordings and reports will live next to previews, only prefixed rules may expire objects
    _, bucket = _bucket(synthesis, "media")

    unprefixed = [rule for rule in bucket["Properties"]["LifecycleConfiguration"]["Rules"] if "Prefix" not in rule]

    assert [rule for rule in unprefixed if "ExpirationInDays" in rule] == []
    assert [rule["AbortIncompleteMultipartUpload"] for rule in unprefixed] == [{"DaysAfterInitiation": 7}]


def test_media_access_is_logged_to_the_log_bucket_under_a_prefix(synthesis: Synthesis) -> None:
    media_id, logs_id = media_buckets(synthesis)

    logging = synthesis.resources[media_id]["Properties"]["LoggingConfiguration"]

    assert logging == {"DestinationBucketName": {"Ref": logs_id}, "LogFilePrefix": "media/"}


def test_only_s3_log_delivery_for_the_media_bucket_may_write_access_logs(synthesis: Synthesis) -> None:
    media_id, logs_id = media_buckets(synthesis)

    # Besides the voice plane's load balancer, under its own prefix (tests/infra/test_voice_plane.py).
    (allow,) = [s for s in bucket_policy_statements(synthesis, logs_id)
                if s["Effect"] == "Allow" and s.get("Sid") != VOICE_ALB_LOGS_SID]

    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [logs_id, "Arn"]}, "/media/*"]]}
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": [media_id, "Arn"]}}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_the_media_bucket_policy_allows_nobody_anything(synthesis: Synthesis) -> None:
    # Access is granted through the functions' roles only; the bucket policy just denies plain HTTP.
    media_id, _ = media_buckets(synthesis)

    assert [s for s in bucket_policy_statements(synthesis, media_id) if s["Effect"] != "Deny"] == []


def test_access_logs_expire_after_a_year(synthesis: Synthesis) -> None:
    _, bucket = _bucket(synthesis, "access logs")

    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]

    assert (rule["ExpirationInDays"], rule["Status"], rule.get("Prefix")) == (365, "Enabled", None)
