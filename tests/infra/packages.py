"""What each function deploys, read from the synthesised assembly: its code asset and its layers' assets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from functions.catalog import LambdaFunction
from layers.sizes import tree_size
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import lambda_of, referenced_id


@dataclass(frozen=True)
class DeployedPackage:
    code: Path
    #: The layers' asset folders, in the function's order (each holds `python/`).
    layers: tuple[Path, ...]

    @property
    def unzipped_size(self) -> int:
        """What Lambda checks against its limit: the code plus every layer, unzipped (sum of file sizes)."""
        return tree_size(self.code) + sum(tree_size(layer) for layer in self.layers)

    @property
    def python_path(self) -> str:
        """The code under /var/task, then each layer's python/ under /opt/python, as Lambda orders them."""
        return ":".join([str(self.code), *(str(layer / "python") for layer in self.layers)])


def _asset(synthesis: Synthesis, s3_key: str) -> Path:
    folder = synthesis.assembly_dir / f"asset.{s3_key.removesuffix('.zip')}"
    assert folder.is_dir(), f"{folder} is not in the assembly"
    return folder


def deployed_package(synthesis: Synthesis, spec: LambdaFunction) -> DeployedPackage:
    _, function = lambda_of(synthesis, spec)
    properties = function["Properties"]
    layers = []
    for reference in properties.get("Layers", []):
        layer = synthesis.resources[referenced_id(reference)]
        assert layer["Type"] == "AWS::Lambda::LayerVersion"
        layers.append(_asset(synthesis, layer["Properties"]["Content"]["S3Key"]))
    return DeployedPackage(code=_asset(synthesis, properties["Code"]["S3Key"]), layers=tuple(layers))
