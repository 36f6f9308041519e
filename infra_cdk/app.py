"""The CDK app: `.venv/bin/python -m infra_cdk.app` (or `cdk synth`, see cdk.json) writes cdk.out/.

Run it as a module from the repo root: `python infra_cdk/app.py` would put infra_cdk/ on sys.path,
and `infra_cdk/constructs/` would then shadow the `constructs` library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra_cdk.stack import CallFunnelStack

STACK_NAME = "CallFunnel"
#: Feature flags every synth uses (cdk.json would hold them for the CLI alone; tests build the app here).
FEATURE_FLAGS = {
    # Log delivery writes server access logs under a bucket policy, so the log bucket keeps ACLs disabled.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build_app(*, context: Mapping[str, Any] | None = None, outdir: str | None = None) -> App:
    """The app with its stack and the cdk-nag checks; tests build it the same way."""
    # The cdk CLI passes its output folder in CDK_OUTDIR; run directly, synthesise to ./cdk.out.
    app = App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir or os.environ.get("CDK_OUTDIR", "cdk.out"))
    CallFunnelStack(app, STACK_NAME)
    # cdk-nag 3 is a policy-validation plugin: an unacknowledged finding fails the synth.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
