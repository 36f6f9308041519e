"""The deployed package imports on the Lambda runtime: every handler from the code asset and the layer.

Runs only where a built layer (layers/build_layer.sh) and a Python 3.12 exist: it imports the handlers
under the runtime's interpreter with nothing but the standard library, the staged code asset and the
layer on the path, as Lambda does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from functions.catalog import FUNCTIONS
from infra_cdk.deployment_settings import DEFAULT_LAYER_ASSET_DIR, REPO_ROOT
from tests.infra.synthesis import Synthesis

pytestmark = pytest.mark.infra

BUILT_LAYER = REPO_ROOT / DEFAULT_LAYER_ASSET_DIR / "python"
IS_PYTHON_3_12 = "import sys; sys.exit(sys.version_info[:2] != (3, 12))"

IMPORT_EVERY_HANDLER = """
import importlib, sys
sys.path = [p for p in sys.path if "-packages" not in p]
for module, entry_point in {handlers!r}:
    getattr(importlib.import_module(module), entry_point)
"""


def _runtime_python() -> str | None:
    """A Python 3.12, looked for as layers/build_layer.sh looks for the one that compiles the layer."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [os.environ.get("PYC_PYTHON"), sys.executable, shutil.which("python3.12")]
    candidates += [str(path) for path in sorted(pyenv_root.glob("versions/3.12*/bin/python3.12"))]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", IS_PYTHON_3_12], capture_output=True).returncode == 0:
            return candidate
    return None


RUNTIME_PYTHON = _runtime_python()


@pytest.mark.skipif(not BUILT_LAYER.is_dir(), reason="no layer built (layers/build_layer.sh)")
@pytest.mark.skipif(RUNTIME_PYTHON is None, reason="no python3.12 to stand in for the Lambda runtime")
def test_every_handler_imports_from_the_code_asset_and_the_layer(synthesis: Synthesis) -> None:
    code_key = next(iter(synthesis.of_type("AWS::Lambda::Function").values()))["Properties"]["Code"]["S3Key"]
    code_asset = synthesis.assembly_dir / f"asset.{code_key.removesuffix('.zip')}"
    handlers = [(spec.module, spec.entry_point) for spec in FUNCTIONS]
    result = subprocess.run(
        [RUNTIME_PYTHON, "-s", "-c", IMPORT_EVERY_HANDLER.format(handlers=handlers)],
        cwd=code_asset,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": f"{code_asset}:{BUILT_LAYER}",
            "CALLFUNNEL_ENVIRONMENT": "aws",
            "AWS_REGION": "eu-west-1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
