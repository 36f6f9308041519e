"""Media permissions: object reads and writes on the media bucket only (and the matching use of its KMS key), and
nothing for anyone else.

The catalog gives the voice function MEDIA_READ and MEDIA_WRITE (it stores a preview and hands out a
presigned GET, which is signed by its own role) and the workflows function MEDIA_WRITE alone; the calls
function RECORDINGS_READ: GetObject under `recordings/` only (it presigns recordings, nothing else).
"""

from __future__ import annotations

import json

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction, Permission
from infra_cdk.constructs.media_bucket import KEY_DESCRIPTION
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import (
    actions_of,
    as_list,
    media_buckets,
    role_statements,
    statements_with_action,
)

pytestmark = pytest.mark.infra

MEDIA_PERMISSIONS = {Permission.MEDIA_READ, Permission.MEDIA_WRITE, Permission.RECORDINGS_READ}


def _each(specs: list[LambdaFunction]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("spec", specs, ids=[spec.name for spec in specs])


def _holding(permission: Permission) -> list[LambdaFunction]:
    return [spec for spec in FUNCTIONS if permission in spec.permissions]


def _s3_statements(synthesis: Synthesis, spec: LambdaFunction) -> list[dict]:
    return [s for s in role_statements(synthesis, spec) if any(a.startswith("s3:") for a in as_list(s["Action"]))]


def _resources_of(synthesis: Synthesis, spec: LambdaFunction, action: str) -> list:
    statements = statements_with_action(role_statements(synthesis, spec), action)
    return [resource for statement in statements for resource in as_list(statement["Resource"])]


def _media_objects_arn(synthesis: Synthesis) -> dict:
    media_id, _ = media_buckets(synthesis)
    return {"Fn::Join": ["", [{"Fn::GetAtt": [media_id, "Arn"]}, "/*"]]}


WRITERS_WITHOUT_READ = [
    spec for spec in _holding(Permission.MEDIA_WRITE) if Permission.MEDIA_READ not in spec.permissions
]


def test_the_catalog_has_media_readers_and_a_writer_that_cannot_read() -> None:
    # Guards the parametrised tests below against passing over empty lists.
    assert _holding(Permission.MEDIA_READ) and _holding(Permission.MEDIA_WRITE) and WRITERS_WITHOUT_READ


@_each([spec for spec in FUNCTIONS if not spec.permissions & MEDIA_PERMISSIONS])
def test_functions_without_a_media_permission_have_no_s3_action(synthesis: Synthesis, spec: LambdaFunction) -> None:
    assert _s3_statements(synthesis, spec) == []


@_each(_holding(Permission.MEDIA_READ))
def test_media_readers_get_objects_of_the_media_bucket_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    # A presigned GET is signed by this role: without GetObject the URL it hands out would answer 403.
    assert _resources_of(synthesis, spec, "s3:GetObject") == [_media_objects_arn(synthesis)]


@_each(_holding(Permission.RECORDINGS_READ))
def test_recording_readers_get_objects_under_recordings_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    media_id, _ = media_buckets(synthesis)
    recordings = {"Fn::Join": ["", [{"Fn::GetAtt": [media_id, "Arn"]}, "/recordings/*"]]}
    assert spec.name == "calls" and Permission.MEDIA_READ not in spec.permissions
    assert _resources_of(synthesis, spec, "s3:GetObject") == [recordings]
    assert actions_of(_s3_statements(synthesis, spec)) == {"s3:GetObject"}


@_each(_holding(Permission.MEDIA_WRITE))
def test_media_writers_put_objects_into_the_media_bucket_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    assert _resources_of(synthesis, spec, "s3:PutObject") == [_media_objects_arn(synthesis)]


@_each(WRITERS_WITHOUT_READ)
def test_media_writers_without_read_cannot_read_back(synthesis: Synthesis, spec: LambdaFunction) -> None:
    assert actions_of(_s3_statements(synthesis, spec)) == {"s3:PutObject"}


@_each([spec for spec in FUNCTIONS if Permission.MEDIA_ERASE not in spec.permissions])
def test_no_function_may_list_delete_or_reconfigure_a_bucket(synthesis: Synthesis, spec: LambdaFunction) -> None:
    assert actions_of(_s3_statements(synthesis, spec)) <= {"s3:GetObject", "s3:PutObject"}


@_each([spec for spec in FUNCTIONS if Permission.MEDIA_ERASE in spec.permissions])
def test_only_the_dsr_eraser_lists_and_deletes_and_only_under_the_personal_data_prefixes(
        synthesis: Synthesis, spec: LambdaFunction) -> None:
    deletable = sorted(json.dumps(resource) for resource in _resources_of(synthesis, spec, "s3:DeleteObject"))
    assert spec.name == "dsr" and len(deletable) == 3
    for resource, prefix in zip(deletable, ("/dsr/*", "/manifests/*", "/recordings/*"), strict=True):
        assert prefix in resource
    assert "s3:ListBucket" in actions_of(_s3_statements(synthesis, spec))


# --- The media bucket's KMS key: whoever reads (or signs a presigned GET) decrypts, whoever writes gets data keys --

def _media_key_arn(synthesis: Synthesis) -> dict:
    (key_id,) = [logical_id for logical_id, key in synthesis.of_type("AWS::KMS::Key").items()
                 if key["Properties"]["Description"] == KEY_DESCRIPTION]
    return {"Fn::GetAtt": [key_id, "Arn"]}


def _media_key_statements(synthesis: Synthesis, statements: list[dict]) -> list[dict]:
    return [s for s in statements if s["Resource"] == _media_key_arn(synthesis)]


def _through_s3_for_the_media_bucket_only(synthesis: Synthesis, statement: dict) -> bool:
    media_id, _ = media_buckets(synthesis)
    conditions = statement["Condition"]["StringEquals"]
    return (conditions["kms:EncryptionContext:aws:s3:arn"] == {"Fn::GetAtt": [media_id, "Arn"]}
            and "s3." in json.dumps(conditions["kms:ViaService"]))


def _expected_key_actions(spec: LambdaFunction) -> set[str]:
    readers = {Permission.MEDIA_READ, Permission.RECORDINGS_READ}
    return ({"kms:Decrypt"} if spec.permissions & readers else set()) | (
        {"kms:GenerateDataKey"} if Permission.MEDIA_WRITE in spec.permissions else set())


@_each([spec for spec in FUNCTIONS if spec.permissions & MEDIA_PERMISSIONS])
def test_media_functions_use_the_media_key_exactly_as_they_use_the_bucket(synthesis: Synthesis,
                                                                          spec: LambdaFunction) -> None:
    # A presigned GET of an SSE-KMS object is decrypted with the signer's rights: the calls function (recordings),
    # the voice function (previews) and DSR (export bundles) need kms:Decrypt, or their URLs answer 403.
    statements = _media_key_statements(synthesis, role_statements(synthesis, spec))

    assert actions_of(statements) == _expected_key_actions(spec)
    assert statements and all(_through_s3_for_the_media_bucket_only(synthesis, s) for s in statements)


def test_the_recording_presigner_may_decrypt_the_media_key() -> None:
    (calls,) = _holding(Permission.RECORDINGS_READ)
    assert _expected_key_actions(calls) == {"kms:Decrypt"}


@_each([spec for spec in FUNCTIONS if not spec.permissions & MEDIA_PERMISSIONS])
def test_functions_without_a_media_permission_never_name_the_media_key(synthesis: Synthesis,
                                                                      spec: LambdaFunction) -> None:
    assert _media_key_statements(synthesis, role_statements(synthesis, spec)) == []


def test_the_voice_plane_gets_data_keys_for_its_recordings_and_cannot_decrypt(synthesis: Synthesis) -> None:
    from tests.infra.test_voice_plane import _task_role_statements

    (statement,) = _media_key_statements(synthesis, _task_role_statements(synthesis))

    assert statement["Action"] == "kms:GenerateDataKey"
    assert _through_s3_for_the_media_bucket_only(synthesis, statement)


def test_the_dialer_state_machine_decrypts_the_manifests_it_reads(synthesis: Synthesis) -> None:
    from tests.infra.test_dialer_state_machine import _dialer_role, _role_statements

    role_id, _ = _dialer_role(synthesis)
    (statement,) = _media_key_statements(synthesis, _role_statements(synthesis, role_id))

    assert statement["Action"] == "kms:Decrypt"
    assert _through_s3_for_the_media_bucket_only(synthesis, statement)
