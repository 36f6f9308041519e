"""The composer and its repair round-trip do not import each other (no cycle, no import hidden in a function)."""

from __future__ import annotations

import ast
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parents[2] / "shared" / "workflows"


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top, inside functions or under TYPE_CHECKING."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_the_repair_round_trip_does_not_import_the_composer():
    assert "shared.workflows.composer" not in imported_modules(WORKFLOWS / "composer_repair.py")


def test_the_composer_imports_its_repair_at_the_top():
    tree = ast.parse((WORKFLOWS / "composer.py").read_text(encoding="utf-8"))
    top_level = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert "shared.workflows.composer_repair" in top_level
    assert "shared.workflows.composer_repair" not in {
        node.module for function in ast.walk(tree) if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function) if isinstance(node, ast.ImportFrom)}
