"""The synthesised template passes cdk-nag (every accepted finding has a reason) and cfn-lint."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from cfnlint.api import lint_file

from functions.catalog import FUNCTIONS, Permission
from infra_cdk.app import STACK_NAME
from infra_cdk.deployment_settings import REPO_ROOT
from infra_cdk.nag import NAG_PLUGIN
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import media_buckets

pytestmark = pytest.mark.infra

# Reviewed findings; the reasons live next to the constructs (grep infra_cdk for `acknowledge(`).
ACKNOWLEDGED_FINDINGS = {
    "AwsSolutions-APIG4",  # authentication happens in the functions
    # The console's distribution: tenants everywhere (CFR1), limits in the API rather than a WAF (CFR2), the default
    # cloudfront.net certificate (CFR4); its buckets are logged by the distribution itself (S1)
    "AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-CFR4", "AwsSolutions-S1",
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
# CloudFormation refuses a stack of more than 500 resources (and a template of more than 200 parameters). Three
# routes per catalog path (the path, /api and /v1) took the single stack past 500 (510: 229 routes), so the API's
# routes, their integrations and invoke permissions have a nested stack of their own (infra_cdk/constructs/
# api_routes.py). Each stack keeps 50 resources of headroom under the limit: the main stack is at ~240, the routes
# stack at ~271 (a new catalog path costs 3 routes there; a new HTTP function 1 integration, 1 permission and 1
# parameter). A stack nearing its budget is split, never let through to the limit.
RESOURCE_BUDGETS = {STACK_NAME: 450, "HttpApi/Routes": 450}
PARAMETER_BUDGET = 150


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
    group_ids = list(synthesis.of_type("AWS::Scheduler::ScheduleGroup"))  # campaign runs and callbacks
    reviewed = ACKNOWLEDGED_FINDINGS | {
        MEDIA_OBJECTS_FINDING.format(bucket_id=media_id),
        MANIFESTS_FINDING.format(bucket_id=media_id),
        *(finding.format(bucket_id=media_id) for finding in DSR_MEDIA_FINDINGS),
        DIALER_EXECUTIONS_FINDING,
        *(SCHEDULES_FINDING.format(group_id=group_id) for group_id in group_ids),
    }
    assert len(group_ids) == 2
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


def test_cdk_nag_checks_the_nested_stacks_too(synthesis: Synthesis) -> None:
    """cdk-nag walks the construct tree, nested stacks included: it saw every route in the routes stack."""
    (public_routes,) = [finding for finding in _nag_report(synthesis)["suppressedViolations"]
                        if finding["ruleName"] == "AwsSolutions-APIG4"]
    checked = {construct["constructPath"] for construct in public_routes["violatingConstructs"]}
    routes_stack = synthesis.stack("HttpApi/Routes")
    routes = [r for r in routes_stack.resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"]
    assert len(checked) == len(routes) > 0
    assert all(path.startswith(f"{STACK_NAME}/HttpApi/Routes/") for path in checked)


def test_cfn_lint_reports_no_error_or_warning_in_any_stack(synthesis: Synthesis) -> None:
    findings = [
        f"{stack.name}: {match.rule.id} {match.message} (line {match.linenumber})"
        for stack in synthesis.stacks
        for match in lint_file(stack.path)
        if match.rule.severity in ("error", "warning")
    ]
    assert findings == []


def test_every_stack_stays_within_its_resource_budget(synthesis: Synthesis) -> None:
    sizes = {stack.name: len(stack.resources) for stack in synthesis.stacks}
    assert sizes.keys() == RESOURCE_BUDGETS.keys(), "every stack, nested ones too, has a budget"
    assert {name: size for name, size in sizes.items() if size > RESOURCE_BUDGETS[name]} == {}


def test_every_stack_stays_within_the_parameter_budget(synthesis: Synthesis) -> None:
    assert {stack.name: len(stack.parameters) for stack in synthesis.stacks
            if len(stack.parameters) > PARAMETER_BUDGET} == {}


def test_infra_imports_only_the_catalog_of_the_application() -> None:
    """CDK must not import handlers: they would pull the whole runtime into the synth."""
    app_imports = set()
    for source in Path(REPO_ROOT, "infra_cdk").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            app_imports |= {name for name in names if name.split(".")[0] in ("functions", "shared")}
    assert app_imports == {"functions.catalog"}
