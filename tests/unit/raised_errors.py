"""Which domain errors a route can raise, read from the source: a static walk of the route's call graph.

From the route's handler function, every call that names a project function — `service.f(...)` through an
imported module, `f(...)` imported or defined alongside, `Class(...)`, `self.m(...)` inside a class — is
followed (lazy imports inside functions included), and every `raise SomeError(...)` whose class derives from
`shared.platform.errors.CallFunnelError` is collected with its status and code. Calls through objects
(`provider.charge(...)`) are not followed: the walk under-approximates, never invents a status.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("shared", "functions")
ROOT_ERROR = ("shared.platform.errors", "CallFunnelError")


@dataclass(frozen=True)
class RaisedError:
    status: int
    code: str | None
    where: str  # "shared/accounts/service.py:42"


@functools.cache
def _module_tree(module: str) -> ast.Module | None:
    path = _module_path(module)
    return ast.parse(path.read_text(encoding="utf-8")) if path else None


def _module_path(module: str) -> Path | None:
    if not module.startswith(PROJECT_PACKAGES):
        return None
    base = REPO_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(nodes: list[ast.stmt], module: str) -> dict[str, tuple[str, str | None]]:
    """Local name → (module, attribute or None for the module itself), for the imports among `nodes`."""
    names: dict[str, tuple[str, str | None]] = {}
    for node in nodes:
        for inner in ast.walk(node) if isinstance(node, ast.If) else [node]:  # TYPE_CHECKING blocks too
            if isinstance(inner, ast.Import):
                for alias in inner.names:
                    names[alias.asname or alias.name.split(".")[0]] = (alias.name if alias.asname
                                                                      else alias.name.split(".")[0], None)
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                for alias in inner.names:
                    target = f"{inner.module}.{alias.name}"
                    names[alias.asname or alias.name] = ((target, None) if _module_path(target)
                                                        else (inner.module, alias.name))
    return names


def _definitions(module: str) -> dict[str, ast.AST]:
    tree = _module_tree(module)
    return {node.name: node for node in (tree.body if tree else [])
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _resolve(module: str, name: str, depth: int = 0) -> tuple[str, ast.AST] | None:
    """The definition `name` refers to in `module` (following re-exports)."""
    definitions = _definitions(module)
    if name in definitions:
        return module, definitions[name]
    tree = _module_tree(module)
    imported = _imports(tree.body, module).get(name) if tree else None
    if imported and imported[1] and depth < 5:
        return _resolve(imported[0], imported[1], depth + 1)
    return None


@functools.cache
def _error_lineage(module: str, class_name: str) -> tuple[int, tuple[tuple[str, str], ...]] | None:
    """(HTTP status, the class and its ancestors) of a CallFunnelError subclass; None for any other class."""
    if (module, class_name) == ROOT_ERROR:
        return 500, (ROOT_ERROR,)
    found = _resolve(module, class_name)
    if found is None or not isinstance(found[1], ast.ClassDef):
        return None
    defining_module, node = found
    own = next((statement.value.value for statement in node.body if isinstance(statement, ast.Assign)
                and any(isinstance(target, ast.Name) and target.id == "status" for target in statement.targets)
                and isinstance(statement.value, ast.Constant)), None)
    for base in node.bases:
        base_ref = _reference(base, _imports(_module_tree(defining_module).body, defining_module), defining_module)
        lineage = _error_lineage(*base_ref) if base_ref else None
        if lineage is not None:
            return own or lineage[0], ((defining_module, node.name), *lineage[1])
    return None


_CATCH_ALL = ("builtins", "Exception")


def _caught_by(handler: ast.ExceptHandler, imports: dict[str, tuple[str, str | None]],
               module: str) -> set[tuple[str, str]]:
    """The classes an `except` clause swallows (none when it re-raises with a bare `raise`)."""
    if any(isinstance(node, ast.Raise) and node.exc is None for node in ast.walk(handler)):
        return set()
    if handler.type is None:
        return {_CATCH_ALL}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    caught = set()
    for expression in types:
        if isinstance(expression, ast.Name) and expression.id in ("Exception", "BaseException"):
            caught.add(_CATCH_ALL)
            continue
        reference = _reference(expression, imports, module)
        found = _resolve(*reference) if reference else None
        if found is not None:
            caught.add((found[0], found[1].name))
    return caught


def _reference(expression: ast.expr, imports: dict[str, tuple[str, str | None]], module: str) -> tuple[str, str] | None:
    """(module, name) for `name` or `module_alias.name`."""
    if isinstance(expression, ast.Name):
        if expression.id in imports:
            target, attribute = imports[expression.id]
            return (target, attribute) if attribute else None
        return module, expression.id
    if isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name):
        target = imports.get(expression.value.id)
        if target and target[1] is None:
            return target[0], expression.attr
    return None


def raised_errors(module: str, function_name: str) -> set[RaisedError]:
    found = _resolve(module, function_name)
    if found is None:
        return set()
    errors: set[RaisedError] = set()
    _walk(found[0], found[1], None, frozenset(), errors, set())
    return errors


def _walk(module: str, function: ast.AST, owner: ast.ClassDef | None, caught: frozenset[tuple[str, str]],
          errors: set[RaisedError], seen: set[tuple[str, int, frozenset]]) -> None:
    key = (module, id(function), caught)
    if key in seen:
        return
    seen.add(key)
    tree = _module_tree(module)
    imports = {**_imports(tree.body, module), **_imports(list(ast.walk(function)), module)}  # lazy imports too
    where = str(_module_path(module).relative_to(REPO_ROOT))
    body = function.body if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else [function]
    # The body only: a route's decorators declare its guard, whose answers the document derives from its policy.
    for statement in body:
        _visit(statement, module, owner, caught, imports, where, errors, seen)


def _visit(node: ast.AST, module: str, owner: ast.ClassDef | None, caught: frozenset[tuple[str, str]],
           imports: dict[str, tuple[str, str | None]], where: str, errors: set[RaisedError],
           seen: set[tuple[str, int, frozenset]]) -> None:
    if isinstance(node, ast.Try):
        swallowed = set().union(*(_caught_by(handler, imports, module) for handler in node.handlers))
        for statement in node.body:
            _visit(statement, module, owner, caught | swallowed, imports, where, errors, seen)
        for statement in [*node.handlers, *node.orelse, *node.finalbody]:
            _visit(statement, module, owner, caught, imports, where, errors, seen)
        return
    if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
        reference = _reference(node.exc.func, imports, module)
        lineage = _error_lineage(*reference) if reference else None
        if lineage is not None and _CATCH_ALL not in caught and not caught.intersection(lineage[1]):
            code = next((keyword.value.value for keyword in node.exc.keywords if keyword.arg == "code"
                         and isinstance(keyword.value, ast.Constant)), None)
            errors.add(RaisedError(lineage[0], code, f"{where}:{node.lineno}"))
    elif isinstance(node, ast.Call):
        for target_module, target in _callees(node.func, imports, module, owner):
            if isinstance(target, ast.ClassDef):
                init = next((item for item in target.body if isinstance(item, ast.FunctionDef)
                             and item.name == "__init__"), None)
                if init is not None:
                    _walk(target_module, init, target, caught, errors, seen)
            else:
                _walk(target_module, target, owner if target_module == module else None, caught, errors, seen)
    for child in ast.iter_child_nodes(node):
        _visit(child, module, owner, caught, imports, where, errors, seen)


def _callees(func: ast.expr, imports: dict[str, tuple[str, str | None]], module: str,
             owner: ast.ClassDef | None) -> list[tuple[str, ast.AST]]:
    if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
            and owner is not None):
        method = next((item for item in owner.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and item.name == func.attr), None)
        return [(module, method)] if method else []
    reference = _reference(func, imports, module)
    if reference is None:
        return []
    found = _resolve(*reference)
    return [found] if found else []
