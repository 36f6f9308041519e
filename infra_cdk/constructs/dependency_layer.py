"""The Lambda layer with the third-party packages of requirements.txt, from a folder built beforehand.

`layers/build_layer.sh` fills the folder with manylinux wheels for the Lambda runtime, without
Docker; synth only zips it, so it stays fast and offline.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra_cdk.constructs.lambda_platform import ARCHITECTURE, RUNTIME


class DependencyLayer(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, asset_dir: Path) -> None:
        super().__init__(scope, construct_id)
        if not (asset_dir / "python").is_dir():
            raise FileNotFoundError(
                f"{asset_dir}/python does not exist: run layers/build_layer.sh first "
                "(or point CDK context layer_asset_dir at a prepared folder)"
            )
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(str(asset_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="CallFunnel runtime dependencies (requirements.txt)",
        )
