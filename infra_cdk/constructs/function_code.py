"""Each function's own code asset: the modules of `functions/` and `shared/` its handler reaches.

`layers/code_asset.py` stages them (from the handler's import graph) into `<build dir>/code/<function>`;
functions whose modules are the same share one asset (CDK hashes the content).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_

from functions.catalog import LambdaFunction
from layers.code_asset import stage_code


def function_code(spec: LambdaFunction, build_dir: Path) -> lambda_.Code:
    return lambda_.Code.from_asset(str(stage_code(spec, build_dir / "code" / spec.name)))
