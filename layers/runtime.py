"""The Lambda runtime's Python version, and a local interpreter of that version (for .pyc and tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Keep in step with infra_cdk/constructs/lambda_platform.py.
RUNTIME_VERSION = "3.12"
_IS_RUNTIME = f"import sys; sys.exit(sys.version_info[:2] != ({RUNTIME_VERSION.replace('.', ', ')}))"


def runtime_python() -> str | None:
    """`PYC_PYTHON`, this interpreter, `python3.12` on PATH, or a pyenv 3.12: the first that is 3.12."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [os.environ.get("PYC_PYTHON"), sys.executable, shutil.which(f"python{RUNTIME_VERSION}")]
    pattern = f"versions/{RUNTIME_VERSION}*/bin/python{RUNTIME_VERSION}"
    candidates += [str(path) for path in sorted(pyenv_root.glob(pattern))]
    for candidate in filter(None, candidates):
        try:
            if subprocess.run([candidate, "-c", _IS_RUNTIME], capture_output=True).returncode == 0:
                return candidate
        except OSError:
            continue
    return None
