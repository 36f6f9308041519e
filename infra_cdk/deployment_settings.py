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
        )


def _flag(value: object) -> bool:
    """`-c name=true` arrives as the string "true"; App(context=...) may pass a real bool."""
    return value is True or str(value).lower() == "true"
