"""Which distributions each catalog function ships: its handler's imports, mapped to distributions.

What every function needs is one common bundle; the rest of each function's set is another, shared by
the functions with the same rest (each bundle is one layer asset, uploaded once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from functions.catalog import FUNCTIONS, LambdaFunction
from layers.aws_services import services_of
from layers.distributions import Installed, requested_extras
from layers.import_graph import REPO_ROOT, closure

REQUIREMENTS = REPO_ROOT / "requirements.txt"
#: Slim replacements, installed beside the full set (layers/slim-requirements.txt pins them).
SLIM_REQUIREMENTS = REPO_ROOT / "layers" / "slim-requirements.txt"


@dataclass(frozen=True)
class SlimVariant:
    """A smaller distribution with the same modules, used unless the function imports what it drops."""

    full: str
    slim: str
    needs_full: tuple[str, ...]  # module prefixes only the full distribution has
    #: module prefix → a subpackage of the full distribution (same release) added to the slim one.
    grafts: dict[str, str] = field(default_factory=dict)


#: phonenumberslite is phonenumbers without its three generated data packages: geocoding (`geodata`,
#: ~40 MB with .pyc), carriers (`carrierdata`) and time zones (`tzdata`, 0.2 MB). The dialer's calling
#: windows (`phonenumbers.timezone`) need the time zones only: they get the lite package plus `tzdata` of
#: the full wheel of the same release (slim-requirements.txt keeps the versions equal), not 40 MB of
#: place names. Only geocoder/carrier users would get the full package (none today).
SLIM_VARIANTS = (
    SlimVariant(
        full="phonenumbers",
        slim="phonenumberslite",
        needs_full=("phonenumbers.geocoder", "phonenumbers.carrier", "phonenumbers.geodata",
                    "phonenumbers.carrierdata"),
        grafts={"phonenumbers.timezone": "phonenumbers/tzdata", "phonenumbers.tzdata": "phonenumbers/tzdata"},
    ),
)

#: Requirements a distribution declares but no code path of ours loads, left out (with the reason).
#: The package test (tests/infra/test_lambda_package.py) imports and uses what we do use without them.
UNUSED_DEPENDENCIES: dict[str, dict[str, str]] = {
    "twilio": {
        "aiohttp": "only twilio.http.async_http_client imports it; we use the synchronous client (requests)",
        "aiohttp-retry": "the same asynchronous client's retries",
    },
}

#: Subpackages of a distribution that none of our code reaches, dropped from the bundles. Twilio's REST
#: client imports each product's package on first use (`client.calls` → twilio.rest.api); we call the
#: core API only (calls, available and incoming phone numbers), so the ~35 other products (37 MB) stay out.
#: Keep: `prefix` → the children of it that ship.
PRUNED_SUBPACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "twilio": ("twilio/rest/", ("__init__.py", "api")),
}

#: Per-service folders of the AWS SDK: only the services some function creates a client for ship
#: (layers/aws_services.py derives them). botocore's models are 24 MB for ~460 services; the functions use
#: about a dozen. The folders' root files (endpoints, partitions, retry and default configuration) always ship.
SERVICE_MODEL_FOLDERS: dict[str, str] = {
    "botocore": "botocore/data/",
    "boto3": "boto3/data/",  # the resource models, read only by `boto3.resource(...)`
}


@dataclass(frozen=True)
class Bundle:
    """One set of distributions (name → version), shared by the functions that need exactly it."""

    distributions: tuple[tuple[str, str], ...]
    functions: tuple[str, ...]
    #: Third-party top-level modules the functions' code imports (lazily or not).
    modules: tuple[str, ...]
    #: The AWS services whose models ship, when the bundle holds the SDK (SERVICE_MODEL_FOLDERS); else empty.
    aws_services: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Names the bundle's folder: changes with its distributions, the services kept and how bundles are made."""
        text = "\n".join([_recipe(), *(f"{name}=={version}" for name, version in self.distributions),
                          *(f"aws:{service}" for service in self.aws_services)])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@cache
def _recipe() -> str:
    """The rules that choose and filter a bundle's files (this module and assemble.py)."""
    sources = (Path(__file__), Path(__file__).with_name("assemble.py"))
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()


@dataclass(frozen=True)
class Installs:
    full: Installed  # requirements.txt
    slim: Installed  # SLIM_REQUIREMENTS, without dependencies

    def of(self, name: str) -> Installed:
        return self.slim if name in self.slim.by_name else self.full


def _check_not_pruned(function: LambdaFunction, modules: set[str]) -> None:
    """A module our code imports by name must not be in a pruned subpackage."""
    for prefix, kept in PRUNED_SUBPACKAGES.values():
        package = prefix.rstrip("/").replace("/", ".")
        for module in modules:
            child = module[len(package) + 1:].split(".", 1)[0] if module.startswith(package + ".") else None
            # Capitalised names are classes (`from twilio.rest import Client`), not subpackages.
            if child and child not in kept and f"{child}.py" not in kept and child[:1].islower():
                raise ValueError(f"{function.name} imports {module}, which layers/plan.py PRUNED_SUBPACKAGES "
                                 f"drops: add {child!r} to what it keeps")


def distributions_of(function: LambdaFunction, installs: Installs) -> tuple[dict[str, str], set[str]]:
    """(distribution → version, third-party modules imported) of one function."""
    modules = closure([function.module]).third_party
    _check_not_pruned(function, modules)
    roots = {installs.full.provider_of(module) for module in modules}
    names = installs.full.with_dependencies(roots, requested_extras(REQUIREMENTS), skip=UNUSED_DEPENDENCIES)
    grafts: dict[str, str] = {}
    for variant in SLIM_VARIANTS:
        needs_full = any(_under(module, prefix) for module in modules for prefix in variant.needs_full)
        if variant.full in names and not needs_full:
            full_version = installs.full.by_name[variant.full].version
            slim_version = installs.slim.by_name[variant.slim].version
            if slim_version != full_version:  # one release everywhere: every function validates numbers alike
                raise ValueError(f"{variant.slim}=={slim_version} (layers/slim-requirements.txt) must be the "
                                 f"release of {variant.full}=={full_version} (requirements.txt)")
            names = (names - {variant.full}) | {variant.slim}
            for prefix, subpackage in variant.grafts.items():
                if any(_under(module, prefix) for module in modules):
                    grafts[subpackage] = installs.full.by_name[variant.full].version
    versions = {name: installs.of(name).by_name[name].version for name in sorted(names)}
    return {**versions, **dict(sorted(grafts.items()))}, {module.split(".", 1)[0] for module in modules}


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def aws_services_of(function: LambdaFunction, installs: Installs) -> set[str]:
    """The AWS services the function may create clients for (layers/aws_services.py)."""
    found = closure([function.module])
    versions, _ = distributions_of(function, installs)
    shipped = {module for name in versions if "/" not in name for module in installs.of(name).by_name[name].top_level}
    return services_of(found.local_modules, found.third_party, shipped)


def bundles(installs: Installs, functions: Iterable[LambdaFunction] = FUNCTIONS) -> list[Bundle]:
    """The layers: first what every function needs (one asset), then one per distinct remainder.

    A function gets the common layer and, when it needs more, the layer of its remainder; functions
    with the same remainder share it, so each distinct set is uploaded once.
    """
    functions = tuple(functions)
    needs = {function.name: distributions_of(function, installs) for function in functions}
    # One set of service models for every function: the SDK lives in the common layer, and the kept folders
    # are 1 MB in all (per-function sets would split the common layer to save less than that).
    services = tuple(sorted(set().union(*(aws_services_of(function, installs) for function in functions))))

    def with_sdk(distributions: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
        return services if any(name in SERVICE_MODEL_FOLDERS for name, _ in distributions) else ()

    common = set.intersection(*(set(versions.items()) for versions, _ in needs.values()))
    result = [Bundle(distributions=tuple(sorted(common)), functions=tuple(needs),
                     modules=tuple(sorted(set().union(*(modules for _, modules in needs.values())))),
                     aws_services=with_sdk(tuple(sorted(common))))]
    grouped: dict[tuple[tuple[str, str], ...], tuple[list[str], set[str]]] = {}
    for name, (versions, modules) in needs.items():
        remainder = tuple(sorted(set(versions.items()) - common))
        if remainder:
            names, imported = grouped.setdefault(remainder, ([], set()))
            names.append(name)
            imported.update(modules)
    result += [
        Bundle(distributions=dists, functions=tuple(names), modules=tuple(sorted(modules)),
               aws_services=with_sdk(dists))
        for dists, (names, modules) in grouped.items()
    ]
    return result


def bundles_of(function_name: str, all_bundles: Iterable[Bundle]) -> list[Bundle]:
    """The function's layers, in order: the common one first."""
    return [bundle for bundle in all_bundles if function_name in bundle.functions]


def installs_in(build_dir: Path) -> Installs:
    return Installs(full=Installed(build_dir / "install" / "full"), slim=Installed(build_dir / "install" / "slim"))
