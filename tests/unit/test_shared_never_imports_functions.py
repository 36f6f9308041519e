"""The ground floor does not import the floor above: nothing under `shared/` imports `functions`.

The OpenAPI merge and route-policy discovery read the catalog, so they live in `functions/openapi` and
`functions/route_policies.py`. (The import-linter contract enforces the full layering; this test names the
offending file and line when the rule is broken, lazy and TYPE_CHECKING imports included.)
"""

from __future__ import annotations

import ast
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _imports_of_functions(source: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        found += [f"{source.relative_to(SHARED.parent)}:{node.lineno} imports {name}"
                  for name in names if name == "functions" or name.startswith("functions.")]
    return found


def test_no_module_under_shared_imports_the_functions_layer():
    offenders = [line for source in sorted(SHARED.rglob("*.py")) for line in _imports_of_functions(source)]

    assert offenders == []
