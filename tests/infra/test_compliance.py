"""The synthesised template passes cdk-nag (every accepted finding has a reason) and cfn-lint."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from cfnlint.api import lint_file

from functions.catalog import FUNCTIONS, Permission
from infra_cdk.deployment_settings import REPO_ROOT
from infra_cdk.nag import NAG_PLUGIN
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import media_buckets

pytestmark = pytest.mark.infra

# Reviewed findings; the reasons live next to the constructs (grep infra_cdk for `acknowledge(`).
ACKNOWLEDGED_FINDINGS = {
    "AwsSolutions-APIG4",  # authentication happens in the functions
    "AwsSolutions-EC23",  # carriers' media streams come from no fixed range; every socket needs a signed token
    "AwsSolutions-ECS2",  # the voice plane's plain variables are configuration; its secrets are ECS secrets
    # X-Ray, log delivery, task tokens, PutMetricData and ECR's auth token accept no resource-level permissions
    "AwsSolutions-IAM5[Resource::*]",
    "AwsSolutions-L1",  # python3.12 is pinned with the layer build
    "AwsSolutions-SMG4",  # JWT signing key rotation is a planned manual operation
}
# Media grants name the media bucket's objects (`<bucket>/*`): object keys are minted per request.
MEDIA_OBJECTS_FINDING = "AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]"
# The dialer reads run manifests (`<bucket>/manifests/*`), keyed per run.
MANIFESTS_FINDING = "AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/manifests/*]"
# A DSR erase deletes a contact's recordings and export bundles, keyed per call and per request.
DSR_MEDIA_FINDINGS = ("AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/recordings/*]",
                      "AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/dsr/*]")
# Executions of the dialer (pause a run; a Distributed Map watches its children): ids are minted per run.
DIALER_EXECUTIONS_FINDING = (
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
    "CallFunnel-dialer:*]"
)
# Schedules of the campaign schedule group (one per scheduled run, named per run).
SCHEDULES_FINDING = (
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/"
    "<{group_id}>/*]"
)
# CloudFormation refuses a stack of more than 500 resources; three routes per catalog path add up. Issue 13's event
# webhooks (8 paths × 3 routes, 3 functions, 2 keyed queues with DLQs) took the stack to 474: the routes of the next
# features will not fit beside the /api and /v1 aliases as separate routes (see the hooks helper's report).
# The post-call analysis consumer adds 9 (queue and DLQ with their TLS policies, function, role, policy, log group,
# event source mapping): 485 with it.
RESOURCE_BUDGET = 490


def _nag_report(synthesis: Synthesis) -> dict:
    report = json.loads((synthesis.assembly_dir / "validation-report.json").read_text())
    (nag,) = [plugin for plugin in report["pluginReports"] if plugin["pluginName"] == NAG_PLUGIN]
    return nag


def test_cdk_nag_finds_nothing_unacknowledged(synthesis: Synthesis) -> None:
    unacknowledged = [
        (
            violation["ruleName"],
            violation["severity"],
            [c["constructPath"] for c in violation["violatingConstructs"]],
        )
        for violation in _nag_report(synthesis)["violations"]
    ]
    assert unacknowledged == []


def test_cdk_nag_acknowledgments_are_the_reviewed_ones_each_with_a_reason(synthesis: Synthesis) -> None:
    media_id, _ = media_buckets(synthesis)
    suppressed = _nag_report(synthesis)["suppressedViolations"]
    group_id, _ = synthesis.the_one("AWS::Scheduler::ScheduleGroup")
    reviewed = ACKNOWLEDGED_FINDINGS | {
        MEDIA_OBJECTS_FINDING.format(bucket_id=media_id),
        MANIFESTS_FINDING.format(bucket_id=media_id),
        *(finding.format(bucket_id=media_id) for finding in DSR_MEDIA_FINDINGS),
        DIALER_EXECUTIONS_FINDING,
        SCHEDULES_FINDING.format(group_id=group_id),
    }
    assert {finding["ruleName"] for finding in suppressed} == reviewed
    assert all(len(finding["reason"]) > 40 for finding in suppressed)


def test_the_media_grant_acknowledgment_covers_the_roles_of_media_functions_only(synthesis: Synthesis) -> None:
    media_id, _ = media_buckets(synthesis)
    finding = MEDIA_OBJECTS_FINDING.format(bucket_id=media_id)
    covered = {
        construct["constructPath"].split("/")[1]
        for violation in _nag_report(synthesis)["suppressedViolations"]
        if violation["ruleName"] == finding
        for construct in violation["violatingConstructs"]
    }
    media_permissions = {Permission.MEDIA_READ, Permission.MEDIA_WRITE}
    assert covered == {spec.name for spec in FUNCTIONS if spec.permissions & media_permissions}


def test_cfn_lint_reports_no_error_or_warning(synthesis: Synthesis) -> None:
    findings = [
        f"{match.rule.id} {match.message} (line {match.linenumber})"
        for match in lint_file(synthesis.template_path)
        if match.rule.severity in ("error", "warning")
    ]
    assert findings == []


def test_stack_stays_within_the_resource_budget(synthesis: Synthesis) -> None:
    assert len(synthesis.resources) <= RESOURCE_BUDGET


def test_infra_imports_only_the_catalog_of_the_application() -> None:
    """CDK must not import handlers: they would pull the whole runtime into the synth."""
    app_imports = set()
    for source in Path(REPO_ROOT, "infra_cdk").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            app_imports |= {name for name in names if name.split(".")[0] in ("functions", "shared")}
    assert app_imports == {"functions.catalog"}
