"""From third-party module names to the installed distributions (with their dependencies) that provide them.

Reads the metadata of a `pip install --target` folder built for the Lambda runtime (CPython 3.12,
x86_64 Linux), so markers and dependencies are those of the runtime, not of the machine running this.
"""

from __future__ import annotations

import importlib.metadata as metadata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: The Lambda runtime's marker environment (see infra_cdk/constructs/lambda_platform.py).
RUNTIME_MARKERS = {
    **default_environment(),
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}


class UnknownModule(Exception):
    pass


@dataclass(frozen=True)
class Distribution:
    name: str  # canonical, e.g. "aws-lambda-powertools"
    version: str
    #: Files relative to the install folder, from its RECORD (without the RECORD's own .pyc entries).
    files: tuple[PurePosixPath, ...]
    requires: tuple[Requirement, ...]

    @property
    def top_level(self) -> set[str]:
        """Importable top-level names: `pkg/...` → pkg, `mod.py` → mod, `mod.cpython-312-....so` → mod."""
        names = set()
        for file in self.files:
            first = file.parts[0]
            if first.endswith((".dist-info", ".data")) or first in {"..", "bin", "__pycache__"}:
                continue
            if len(file.parts) > 1:
                names.add(first)
            elif first.endswith((".py", ".so")):
                names.add(first.split(".", 1)[0])
        return names


class Installed:
    """The distributions of one install folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @cached_property
    def by_name(self) -> dict[str, Distribution]:
        found = {}
        for dist in metadata.distributions(path=[str(self.folder)]):
            files = tuple(
                PurePosixPath(str(file)) for file in dist.files or () if not str(file).endswith(".pyc")
            )
            requires = tuple(Requirement(text) for text in dist.requires or ())
            name = canonicalize_name(dist.metadata["Name"])
            found[name] = Distribution(name=name, version=dist.version, files=files, requires=requires)
        return found

    @cached_property
    def by_module(self) -> dict[str, str]:
        return {module: dist.name for dist in self.by_name.values() for module in dist.top_level}

    def provider_of(self, module: str) -> str:
        top = module.split(".", 1)[0]
        if top not in self.by_module:
            raise UnknownModule(
                f"no installed distribution provides {module!r}: add it to requirements.txt "
                "(and rebuild with make layer)"
            )
        return self.by_module[top]

    def with_dependencies(
        self, names: Iterable[str], extras: dict[str, set[str]], skip: dict[str, dict[str, str]] | None = None
    ) -> set[str]:
        """`names` and everything they require on the runtime, with the extras requirements.txt asks for.

        `skip`: distribution → requirements of it to leave out (declared unused, with a reason).
        """
        result: set[str] = set()
        pending = [(canonicalize_name(name), frozenset(extras.get(canonicalize_name(name), ()))) for name in names]
        seen: set[tuple[str, frozenset[str]]] = set()
        while pending:
            name, wanted_extras = pending.pop()
            if (name, wanted_extras) in seen:
                continue
            seen.add((name, wanted_extras))
            result.add(name)
            for requirement in self.by_name[name].requires:
                if requirement.marker and not any(
                    requirement.marker.evaluate({**RUNTIME_MARKERS, "extra": extra})
                    for extra in ("", *wanted_extras)
                ):
                    continue
                required = canonicalize_name(requirement.name)
                if required not in (skip or {}).get(name, {}):
                    pending.append((required, frozenset(requirement.extras)))
        return result


def requested_extras(requirements_file: Path) -> dict[str, set[str]]:
    """`aws-lambda-powertools[tracer]==…` in requirements.txt → {"aws-lambda-powertools": {"tracer"}}."""
    extras: dict[str, set[str]] = {}
    for line in requirements_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            extras[canonicalize_name(requirement.name)] = set(requirement.extras)
    return extras
