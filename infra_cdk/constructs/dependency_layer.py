"""The functions' dependency layers: each function gets only the distributions its handler imports.

`layers/plan.py` derives every function's set from its import graph; `layers/assemble.py` links the
bundles from the install that `make layer` prepared (manylinux wheels for the Lambda runtime, no
Docker). Every function gets the common layer (what all of them need) and, when it needs more, the layer
of its remainder; identical layers are one asset, uploaded once. Synth assembles the bundles itself
(offline, hard links), so they always follow the code's current imports.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra_cdk.constructs.lambda_platform import ARCHITECTURE, RUNTIME
from layers.assemble import COMPLETE_MARKER, assemble

#: A layer description's limit (CloudFormation).
_DESCRIPTION_LIMIT = 256


class DependencyLayers(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, build_dir: Path) -> None:
        super().__init__(scope, construct_id)
        folders = assemble(build_dir)
        layers: dict[Path, lambda_.LayerVersion] = {}
        self._of_function: dict[str, list[lambda_.ILayerVersion]] = {}
        for function, used in sorted(folders.items()):
            for folder in used:
                if folder not in layers:
                    users = sorted(name for name, theirs in folders.items() if folder in theirs)
                    layers[folder] = self._layer(folder, users, common=len(users) == len(folders))
            self._of_function[function] = [layers[folder] for folder in used]

    def _layer(self, folder: Path, users: list[str], *, common: bool) -> lambda_.LayerVersion:
        description = "CallFunnel: dependencies of every function" if common else (
            f"CallFunnel: more dependencies of {', '.join(users)}"
        )
        return lambda_.LayerVersion(
            self,
            "Common" if common else f"Bundle-{folder.name}",
            code=lambda_.Code.from_asset(str(folder), exclude=[COMPLETE_MARKER]),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=description[:_DESCRIPTION_LIMIT],
        )

    def layers_of(self, function_name: str) -> list[lambda_.ILayerVersion]:
        return self._of_function[function_name]
