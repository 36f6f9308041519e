"""What a deployment may override through CDK context (`cdk synth -c key=value`, or `App(context=...)`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from constructs import Node

REPO_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_LAYER_ASSET_DIR = "layers/build"
DEFAULT_EMAIL_SENDER = "no-reply@callfunnel.ai"


@dataclass(frozen=True)
class DeploymentSettings:
    #: The layer build folder (`make layer`): the shared install the bundles and code assets come from.
    layer_asset_dir: Path
    #: The From address of every email; its domain is the SES identity the functions may send as.
    email_sender: str
    #: Name (or ARN) of the ops-managed Secrets Manager secret with the payment processor's secrets
    #: (see infra_cdk/constructs/payment_secrets.py); None deploys the sandbox processor.
    payments_secret_name: str | None = None
    #: During a webhook-secret rotation the receiver also accepts the secret's `previous_webhook_secret`.
    payments_webhook_rotation: bool = False
    #: Name (or ARN) of the ops-managed secret with the Slack app's credentials (constructs/slack_secrets.py);
    #: None: "Add to Slack" is off (503) and approvals are decided through the API.
    slack_secret_name: str | None = None
    #: The voice plane's public host name (e.g. voice.example.com) and the ACM certificate (ARN, same region)
    #: its HTTPS listener serves for it. Both or neither: without them the stack has no voice plane.
    voice_domain_name: str | None = None
    voice_certificate_arn: str | None = None
    #: Name (or ARN) of the ops-managed secret with the voice plane's provider keys (constructs/voice_plane.py);
    #: none: the voice plane runs without platform keys (BYOK tenants only, or nothing).
    voice_secret_name: str | None = None
    #: The most voice-plane tasks autoscaling may run.
    voice_max_tasks: int = 10

    @property
    def email_sender_domain(self) -> str:
        return self.email_sender.rpartition("@")[2]

    @classmethod
    def from_context(cls, node: Node) -> DeploymentSettings:
        layer_dir = Path(node.try_get_context("layer_asset_dir") or DEFAULT_LAYER_ASSET_DIR)
        email_sender = node.try_get_context("email_sender") or DEFAULT_EMAIL_SENDER
        if "@" not in email_sender:
            raise ValueError(f"context email_sender must be an email address, got {email_sender!r}")
        return cls(
            layer_asset_dir=layer_dir if layer_dir.is_absolute() else REPO_ROOT / layer_dir,
            email_sender=email_sender,
            payments_secret_name=node.try_get_context("payments_secret_name") or None,
            payments_webhook_rotation=_flag(node.try_get_context("payments_webhook_rotation")),
            slack_secret_name=node.try_get_context("slack_secret_name") or None,
            **_voice_plane(node),
        )


def _voice_plane(node: Node) -> dict:
    domain = node.try_get_context("voice_domain_name") or None
    certificate = node.try_get_context("voice_certificate_arn") or None
    if (domain is None) != (certificate is None):
        raise ValueError("context voice_domain_name and voice_certificate_arn go together: the certificate is "
                         "the one the voice plane's domain presents")
    if certificate is not None and not str(certificate).startswith("arn:"):
        raise ValueError(f"context voice_certificate_arn must be an ACM certificate ARN, got {certificate!r}")
    max_tasks = int(node.try_get_context("voice_max_tasks") or 10)
    if max_tasks < 2:
        raise ValueError("context voice_max_tasks must be at least 2 (one task per availability zone)")
    return {"voice_domain_name": domain, "voice_certificate_arn": certificate,
            "voice_secret_name": node.try_get_context("voice_secret_name") or None, "voice_max_tasks": max_tasks}


def _flag(value: object) -> bool:
    """`-c name=true` arrives as the string "true"; App(context=...) may pass a real bool."""
    return value is True or str(value).lower() == "true"
