"""Import-linter contract types for rules that follow a *naming* convention (registered in .importlinter).

"Only repositories import pynamodb" and "adapters never read a repository" are about every module named as
a repository (`repository`, `<thing>_repository`, `repository_<part>`), including the ones added tomorrow.
The built-in contracts take lists of module names, and a list goes stale as soon as a domain grows a new
repository module; these match the module's own name against a pattern instead.
"""

from __future__ import annotations

import re
from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _inside(module: str, packages: list[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def _lines(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    return ", ".join(str(detail["line_number"]) for detail in details)


def _render(check: ContractCheck) -> None:
    for importer, imported, lines in check.metadata["illegal"]:
        output.print_error(f"- {importer} -> {imported} (l.{lines})", bold=False)
    output.new_line()


class ImportedOnlyByNameContract(Contract):
    """`protected_modules` (e.g. an external package) may be imported only by modules whose last name fully
    matches `allowed_importer_name`, or that sit in one of `allowed_importers` (packages)."""

    type_name = "imported_only_by_name"

    protected_modules = fields.ListField(subfield=fields.StringField())
    allowed_importer_name = fields.StringField()
    allowed_importers = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        name = re.compile(str(self.allowed_importer_name))
        allowed: list[str] = list(self.allowed_importers or [])  # type: ignore[arg-type]
        illegal: list[tuple[str, str, str]] = []
        for protected in self.protected_modules:  # type: ignore[attr-defined]
            for importer in sorted(graph.find_modules_that_directly_import(protected)):
                if name.fullmatch(importer.rsplit(".", 1)[-1]) or _inside(importer, allowed):
                    continue
                illegal.append((importer, protected, _lines(graph, importer, protected)))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


class ForbiddenByNameContract(Contract):
    """Modules in `source_modules` (packages) never import a module whose last name fully matches
    `forbidden_name`, unless that module is itself inside the source packages."""

    type_name = "forbidden_by_name"

    source_modules = fields.ListField(subfield=fields.StringField())
    forbidden_name = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        name = re.compile(str(self.forbidden_name))
        sources: list[str] = list(self.source_modules)  # type: ignore[arg-type]
        illegal: list[tuple[str, str, str]] = []
        importers: set[str] = set()
        for source in sources:
            importers |= {source, *graph.find_descendants(source)}
        for importer in sorted(importers):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if name.fullmatch(imported.rsplit(".", 1)[-1]) and not _inside(imported, sources):
                    illegal.append((importer, imported, _lines(graph, importer, imported)))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


__all__: list[Any] = ["ForbiddenByNameContract", "ImportedOnlyByNameContract"]
