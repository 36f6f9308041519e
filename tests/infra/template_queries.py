"""Follow references through the synthesised template: from a catalog function to its resources."""

from __future__ import annotations

from typing import Any

from functions.catalog import LambdaFunction
from tests.infra.synthesis import Resource, Synthesis


def lambda_of(synthesis: Synthesis, spec: LambdaFunction) -> tuple[str, Resource]:
    """The Lambda deployed for a catalog function (found by its handler, which is unique)."""
    (found,) = [
        (logical_id, resource)
        for logical_id, resource in synthesis.of_type("AWS::Lambda::Function").items()
        if resource["Properties"]["Handler"] == spec.handler
    ]
    return found


def referenced_id(value: Any) -> str:
    """The logical id behind `{"Ref": id}` or `{"Fn::GetAtt": [id, attribute]}`."""
    if "Ref" in value:
        return value["Ref"]
    return value["Fn::GetAtt"][0]


def role_statements(synthesis: Synthesis, spec: LambdaFunction) -> list[dict[str, Any]]:
    """Every statement of the function's execution role: inline policies and attached policies."""
    _, function = lambda_of(synthesis, spec)
    role_id = referenced_id(function["Properties"]["Role"])
    role = synthesis.resources[role_id]["Properties"]
    statements = [
        statement
        for inline in role.get("Policies", [])
        for statement in inline["PolicyDocument"]["Statement"]
    ]
    for policy in synthesis.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    return {action for statement in statements for action in as_list(statement["Action"])}


def statements_with_action(statements: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [statement for statement in statements if action in as_list(statement["Action"])]


def integration_function_id(synthesis: Synthesis, route: Resource) -> str:
    """The logical id of the Lambda a route's integration invokes."""
    _, integration_ref = route["Properties"]["Target"]["Fn::Join"][1]
    integration = synthesis.resources[referenced_id(integration_ref)]["Properties"]
    return referenced_id(integration["IntegrationUri"])


def media_buckets(synthesis: Synthesis) -> tuple[str, str]:
    """The logical ids of the media bucket (the one that logs) and of the bucket it logs to."""
    (media_id,) = [
        logical_id
        for logical_id, bucket in synthesis.of_type("AWS::S3::Bucket").items()
        if "LoggingConfiguration" in bucket["Properties"]
    ]
    logging = synthesis.resources[media_id]["Properties"]["LoggingConfiguration"]
    return media_id, referenced_id(logging["DestinationBucketName"])


def bucket_policy_statements(synthesis: Synthesis, bucket_id: str) -> list[dict[str, Any]]:
    (policy,) = [
        policy["Properties"]
        for policy in synthesis.of_type("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    return policy["PolicyDocument"]["Statement"]


def secret_id(synthesis: Synthesis, description_start: str) -> str:
    """The one Secrets Manager secret whose description starts so (the JWT signing key, the media-stream key)."""
    (found,) = [logical_id for logical_id, secret in synthesis.of_type("AWS::SecretsManager::Secret").items()
                if secret["Properties"].get("Description", "").startswith(description_start)]
    return found
