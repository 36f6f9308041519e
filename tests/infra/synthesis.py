"""The synthesised CallFunnel stack as the infra tests read it: the main stack and its nested stacks, as one.

The public API's routes are in a nested stack (`infra_cdk/constructs/api_routes.py`), whose template names what
it receives from the main stack by parameters (`{"Ref": "referencetoCallFunnel…Arn"}`). `Synthesis.resources`
holds every stack's resources with those parameters replaced by what the main stack passes (e.g.
`{"Fn::GetAtt": ["healthFunction…", "Arn"]}`), so a test follows a route to its function across the boundary as
within one template; `Synthesis.stacks` keeps each template apart for what is per stack (resource budgets,
cfn-lint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template

from infra_cdk.app import STACK_NAME, build_app
from infra_cdk.deployment_settings import DEFAULT_LAYER_ASSET_DIR, REPO_ROOT
from layers.assemble import ensure_installed

Resource = dict[str, Any]
PAYMENTS_SECRET_NAME = "callfunnel/payments"
VOICE_DOMAIN_NAME = "voice.callfunnel.example"
VOICE_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f4c1e2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
VOICE_SECRET_NAME = "callfunnel/voice-providers"
SLACK_SECRET_NAME = "callfunnel/slack-app"


@dataclass(frozen=True)
class StackTemplate:
    """One CloudFormation template of the app: the main stack's or a nested stack's, as synthesised."""

    #: "CallFunnel" for the main stack; a nested stack's construct path within it, e.g. "HttpApi/Routes".
    name: str
    path: Path
    #: Its own resources, parameters unresolved.
    resources: dict[str, Resource]
    parameters: dict[str, Any]
    #: A nested stack's `AWS::CloudFormation::Stack` resource in its parent (None for the main stack).
    resource_in_parent: Resource | None = None


@dataclass(frozen=True)
class Synthesis:
    #: The main stack's template (assertions on it do not see the nested stacks).
    template: Template
    #: Every stack's resources (nested stacks' parameters resolved), for following references between resources.
    resources: dict[str, Resource]
    outputs: dict[str, Any]
    #: The main stack's template file.
    template_path: Path
    assembly_dir: Path
    #: The main stack first, then its nested stacks.
    stacks: tuple[StackTemplate, ...] = ()

    def stack(self, name: str) -> StackTemplate:
        (found,) = [stack for stack in self.stacks if stack.name == name]
        return found

    def of_type(self, resource_type: str) -> dict[str, Resource]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def the_one(self, resource_type: str) -> tuple[str, Resource]:
        (found,) = self.of_type(resource_type).items()
        return found


def synthesise(assembly_dir: Path) -> None:
    """Synthesise the app as `infra_cdk.app` builds it into `assembly_dir`: no Docker.

    With the real dependency bundles: the size and import tests read them from the assembly. The
    install behind them (`make layer`) is made here when missing or stale (pip; its cache makes it fast).
    """
    ensure_installed(REPO_ROOT / DEFAULT_LAYER_ASSET_DIR)
    app = build_app(
        context={
            "aws:cdk:bundling-stacks": [],
            # An ops-managed payments secret, mid-rotation: every payment variable is in the template.
            "payments_secret_name": PAYMENTS_SECRET_NAME,
            "payments_webhook_rotation": "true",
            # The voice plane, with its domain, certificate and provider keys.
            "voice_domain_name": VOICE_DOMAIN_NAME,
            "voice_certificate_arn": VOICE_CERTIFICATE_ARN,
            "voice_secret_name": VOICE_SECRET_NAME,
            # The Slack app's credentials ("Add to Slack", interactivity signatures).
            "slack_secret_name": SLACK_SECRET_NAME,
            # Report cdk-nag findings in validation-report.json instead of raising, so the nag test
            # names them rather than every infra test erroring in the fixture.
            "@aws-cdk/core:failSynthOnValidationErrors": False,
        },
        outdir=str(assembly_dir),
    )
    app.synth()


def load(assembly_dir: Path) -> Synthesis:
    template_path = assembly_dir / f"{STACK_NAME}.template.json"
    template_json = json.loads(template_path.read_text())
    main = StackTemplate(name=STACK_NAME, path=template_path, resources=template_json["Resources"],
                         parameters=template_json.get("Parameters", {}))
    stacks = [main]
    resources = dict(main.resources)
    nested_templates = _nested_templates(assembly_dir)
    # The resources (resolved) of every stack whose nested stacks are still to be read.
    pending = [main.resources]
    while pending:
        parent_resources = pending.pop()
        for resource in parent_resources.values():
            if resource["Type"] != "AWS::CloudFormation::Stack":
                continue
            name, path = nested_templates[_object_key(resource["Properties"]["TemplateURL"])]
            nested_json = json.loads(path.read_text())
            passed = resource["Properties"].get("Parameters", {})
            nested_resources = _resolve(nested_json["Resources"], passed)
            clashes = set(nested_resources) & set(resources)
            assert not clashes, f"logical ids in more than one stack: {sorted(clashes)}"
            resources.update(nested_resources)
            stacks.append(StackTemplate(name=name, path=path, resources=nested_json["Resources"],
                                        parameters=nested_json.get("Parameters", {}), resource_in_parent=resource))
            pending.append(nested_resources)
    return Synthesis(
        template=Template.from_json(template_json),
        resources=resources,
        outputs=template_json.get("Outputs", {}),
        template_path=template_path,
        assembly_dir=assembly_dir,
        stacks=tuple(stacks),
    )


NESTED_TEMPLATE_SUFFIX = " Nested Stack Template"


def _nested_templates(assembly_dir: Path) -> dict[str, tuple[str, Path]]:
    """Nested stacks' templates by their S3 object key: (construct path, file), from the main stack's assets."""
    assets = json.loads((assembly_dir / f"{STACK_NAME}.assets.json").read_text())
    found = {}
    for asset in assets["files"].values():
        if not asset["source"]["path"].endswith(".nested.template.json"):
            continue
        (destination,) = asset["destinations"].values()
        name = asset["displayName"].removesuffix(NESTED_TEMPLATE_SUFFIX)
        found[destination["objectKey"]] = (name, assembly_dir / asset["source"]["path"])
    return found


def _object_key(template_url: Any) -> str:
    """The S3 key at the end of a nested stack's `TemplateURL` (a join of the bootstrap bucket's URL and the key)."""
    return template_url["Fn::Join"][1][-1].removeprefix("/")


def _resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """`value` with every `{"Ref": parameter}` replaced by what the parent passes for that parameter."""
    if isinstance(value, dict):
        if value.keys() == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        return {key: _resolve(item, parameters) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, parameters) for item in value]
    return value
