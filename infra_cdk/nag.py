"""cdk-nag acknowledgments: every finding we accept is recorded next to the construct that causes it."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

#: cdk-nag's AwsSolutions pack reports as this validation plugin.
NAG_PLUGIN = "AwsSolutions"


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding (e.g. "AwsSolutions-IAM5[Resource::*]") on `scope` and its children.

    Qualified with the plugin's namespace, CDK itself matches the acknowledgment and lists the finding
    with its reason under `suppressedViolations` in cdk.out/validation-report.json (the audit trail).
    One acknowledgment covers exactly one finding id: there is no prefix matching.
    """
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{NAG_PLUGIN}::{finding}", reason=reason))
