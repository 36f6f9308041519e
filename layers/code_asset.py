"""A function's own code asset: only the modules of functions/ and shared/ its handler reaches.

The import graph (layers/import_graph.py) gives the modules; each package's `__init__.py` comes with
them. Nothing else of the repo (tests, bench, infra, docs) is ever in it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from functions.catalog import LambdaFunction
from layers.import_graph import REPO_ROOT, closure, module_path


def code_files(function: LambdaFunction, root: Path = REPO_ROOT) -> list[Path]:
    """The function's source files, relative to the repo root."""
    found = set()
    for module in closure([function.module], root=root).local_modules:
        path = module_path(module, root)
        if path is not None:
            found.add(path.relative_to(root))
    return sorted(found)


def stage_code(function: LambdaFunction, folder: Path, root: Path = REPO_ROOT) -> Path:
    """Write the function's code asset into `folder` (replaced), and return it."""
    shutil.rmtree(folder, ignore_errors=True)
    for file in code_files(function, root):
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / file, folder / file)
    return folder
