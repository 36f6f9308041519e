"""The synthesised CallFunnel stack as the infra tests read it."""

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
class Synthesis:
    template: Template
    #: The template as plain JSON, for following references between resources.
    resources: dict[str, Resource]
    outputs: dict[str, Any]
    template_path: Path
    assembly_dir: Path

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
    return Synthesis(
        template=Template.from_json(template_json),
        resources=template_json["Resources"],
        outputs=template_json.get("Outputs", {}),
        template_path=template_path,
        assembly_dir=assembly_dir,
    )
