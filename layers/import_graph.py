"""What a handler imports: a static walk of our own modules (functions/, shared/) by their syntax trees.

Every `import`/`from ... import` counts, at module level and inside functions (the lazy imports of
heavy SDKs such as `import anthropic` live there), except those under `if TYPE_CHECKING:`. The walk
follows our modules and stops at the first third-party module, whose dotted name it records
(e.g. `phonenumbers.timezone`). Nothing is imported or executed, so it runs on any Python, in
milliseconds.

A non-literal `importlib.import_module(...)` cannot be followed statically: each module doing one must
be declared in `DYNAMIC_IMPORTS`, or the walk fails, so a new dynamic import cannot silently ship a
function without its dependencies.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Our packages that are deployed as function code; anything else of the repo is not.
LOCAL_PACKAGES = ("functions", "shared")
#: Repo packages that must never be imported by deployed code (they are not in any asset).
NOT_DEPLOYED = ("tests", "bench", "infra_cdk", "infra_local", "layers", "ops")


def _route_handlers() -> list[str]:
    from functions.catalog import FUNCTIONS

    return [function.module for function in FUNCTIONS if function.routes]


#: Module → the modules it imports by name at run time (only what that import executes: the target's
#: module-level imports, see `eager`). The merged OpenAPI document imports every route handler.
DYNAMIC_IMPORTS: dict[str, Callable[[], list[str]]] = {
    "functions.openapi.document": _route_handlers,
    # `policy_of` resolves one catalog route's policy for tests and tools; no handler calls it.
    "functions.route_policies": list,
}


class UndeclaredDynamicImport(Exception):
    pass


class UndeployedImport(Exception):
    pass


@dataclass(frozen=True)
class ModuleImports:
    """The imports one module's source names, split by when they run."""

    #: Executed when the module is imported (module level, outside `if TYPE_CHECKING:`).
    eager: frozenset[str]
    #: Executed when one of its functions runs.
    lazy: frozenset[str]
    dynamic: bool


@dataclass
class ImportClosure:
    local_modules: set[str] = field(default_factory=set)
    #: Dotted names of third-party imports, e.g. {"phonenumbers", "phonenumbers.timezone"}.
    third_party: set[str] = field(default_factory=set)

    @property
    def top_level(self) -> set[str]:
        return {name.split(".", 1)[0] for name in self.third_party}


def module_path(module: str, root: Path = REPO_ROOT) -> Path | None:
    base = root.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_by_call(node: ast.Call) -> str | None:
    """`importlib.import_module(...)`/`__import__(...)`: the literal name, "" when computed, else None."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in {"import_module", "__import__"}:
        return None
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return ""


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.eager: set[str] = set()
        self.lazy: set[str] = set()
        self.dynamic = False
        self._depth = 0

    def _add(self, names: Iterable[str]) -> None:
        (self.lazy if self._depth else self.eager).update(names)

    def _absolute(self, module: str | None, level: int) -> str:
        if not level:
            return module or ""
        base = self.package.split(".")
        base = base[: len(base) - (level - 1)] if level > 1 else base
        return ".".join([*base, *([module] if module else [])])

    def visit_Import(self, node: ast.Import) -> None:
        self._add(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = self._absolute(node.module, node.level)
        # `from a import b` imports `a`, and `a.b` when b is a submodule (checked when resolving).
        self._add([source, *(f"{source}.{alias.name}" for alias in node.names if alias.name != "*")])

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _visit_function(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function

    def visit_Call(self, node: ast.Call) -> None:
        imported = _imported_by_call(node)
        if imported == "":
            self.dynamic = True
        elif imported is not None and not imported.startswith("."):
            self._add([imported])
        self.generic_visit(node)


@cache
def module_imports(module: str, root: Path = REPO_ROOT) -> ModuleImports:
    path = module_path(module, root)
    if path is None:
        raise ModuleNotFoundError(module)
    collector = _Collector(module, is_package=path.name == "__init__.py")
    collector.visit(ast.parse(path.read_text(), str(path)))
    return ModuleImports(frozenset(collector.eager), frozenset(collector.lazy), collector.dynamic)


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:index]) for index in range(1, len(parts))]


def _is_stdlib(name: str) -> bool:
    return name.split(".", 1)[0] in sys.stdlib_module_names or name == "__future__"


def closure(entry_modules: Iterable[str], *, root: Path = REPO_ROOT, eager_only: bool = False) -> ImportClosure:
    """Our modules and the third-party imports reachable from `entry_modules`.

    `eager_only` follows only what importing the modules executes (for modules imported by name).
    """
    result = ImportClosure()
    pending = [(module, eager_only) for module in entry_modules]
    seen: set[tuple[str, bool]] = set()
    while pending:
        module, eager = pending.pop()
        if (module, eager) in seen:
            continue
        seen.add((module, eager))
        result.local_modules.add(module)
        imports = module_imports(module, root)
        names = set(imports.eager) if eager else imports.eager | imports.lazy
        if imports.dynamic and not eager:
            if module not in DYNAMIC_IMPORTS:
                raise UndeclaredDynamicImport(
                    f"{module} imports modules by a computed name: declare what in "
                    "layers/import_graph.py DYNAMIC_IMPORTS, or its functions may ship without them"
                )
            pending.extend((target, True) for target in DYNAMIC_IMPORTS[module]())
        for name in names:
            top = name.split(".", 1)[0]
            if not name or _is_stdlib(name):
                continue
            if top in NOT_DEPLOYED:
                raise UndeployedImport(f"{module} imports {name}, which is not deployed with the functions")
            if top not in LOCAL_PACKAGES:
                result.third_party.add(name)
                continue
            # A `from a import b` name that is not a module is an attribute of `a`: skip it.
            if module_path(name, root) is None:
                continue
            for target in [*_parents(name), name]:
                pending.append((target, eager))
    return result
