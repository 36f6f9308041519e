"""Which AWS services the functions create clients for, so the bundles ship only those services' models.

botocore carries a JSON model for every AWS service (~460 folders, 24 MB of `botocore/data/<service>/`) and
reads one only when a client for that service is created. The functions call a dozen. The kept set is derived:

1. **Our code** names the service where it asks `shared.platform.aws` for a client: `client("s3")`,
   `quick_client("sqs")`, `(quick_client if quick else client)("sqs")`. The scan reads the syntax trees of
   the modules a handler reaches (layers/import_graph.py). A name it cannot read (a variable) must be declared
   in `DYNAMIC_SERVICES`, and no module but the factory may create clients itself (import `boto3`,
   `botocore.session`): either fails the build, naming the fix, rather than ship a function without the model
   it needs.
2. **Libraries** that create clients on their own, declared in `LIBRARY_CLIENTS` by module prefix: pynamodb
   (DynamoDB), the X-Ray SDK (X-Ray, for its sampling rules). An entry counts for a function when its code
   imports a module under the prefix, or when the prefix is a whole top-level module the function ships.
   tests/infra/test_aws_services.py reads every shipped library for client calls naming a service, and fails
   on one neither kept nor declared here.
3. **`RUNTIME_SERVICES`**: names no code of ours spells out, each with its reason.

The root files of `botocore/data` (endpoints, partitions, retry modes, the SDK's default configuration) are
read at every client creation and always ship; so does each kept service's whole folder (every API version,
its paginators, waiters and endpoint rules: waiters and paginators only call their own service).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from layers.import_graph import REPO_ROOT, module_imports, module_path

#: The one module that creates boto3 clients for our code, and its factories (the service name comes first).
CLIENT_FACTORY_MODULE = "shared.platform.aws"
CLIENT_FACTORIES = frozenset({"client", "quick_client"})

#: Imports only the factory module may make: with them a module could create a client the scan cannot see.
_CLIENT_MAKERS = ("boto3", "botocore.session", "botocore.client", "aioboto3")

#: Modules that pass the factory a computed service name: module → every name it may pass.
DYNAMIC_SERVICES: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class LibraryClients:
    services: tuple[str, ...]
    why: str


#: Third-party modules that create clients themselves (prefix → the services). An entry counts for a function
#: whose code imports under the prefix, or that ships the prefix as a whole top-level module.
LIBRARY_CLIENTS: dict[str, LibraryClients] = {
    "pynamodb": LibraryClients(("dynamodb",), "every model's connection is a botocore DynamoDB client"),
    "aws_xray_sdk": LibraryClients(
        ("xray",), "its sampling-rule poller (core/sampling/connector.py) is a botocore X-Ray client; Powertools' "
                   "Tracer (the [tracer] extra) brings the SDK to every function"),
    # Not reached today (our code imports none of these); listed so the library scan knows them.
    "aws_lambda_powertools.utilities.parameters": LibraryClients(
        ("ssm", "secretsmanager", "appconfigdata", "dynamodb"),
        "Powertools' parameter providers; our secrets go through shared.platform.secrets"),
    "aws_lambda_powertools.utilities.idempotency": LibraryClients(("dynamodb",), "Powertools' idempotency store"),
    "aws_lambda_powertools.utilities.circuit_breaker": LibraryClients(("dynamodb",), "Powertools' circuit breaker"),
    "aws_lambda_powertools.utilities.streaming": LibraryClients(("s3",), "Powertools' S3 streaming"),
    "aws_lambda_powertools.utilities.data_classes.code_pipeline_job_event": LibraryClients(
        ("s3",), "CodePipeline job events; no function of ours receives them"),
    # botocore's credential chain: on Lambda the environment's credentials answer first (RUNTIME_SERVICES
    # keeps STS all the same). SSO and the console login need a profile, which Lambda never has.
    "botocore.credentials": LibraryClients(("sts", "sso", "signin"), "profile-based credential providers"),
    "botocore.tokens": LibraryClients(("sso-oidc",), "SSO token refresh, for a profile's SSO session"),
    "pydantic_settings.sources.providers.aws": LibraryClients(
        ("secretsmanager", "ssm"), "settings sources for Secrets Manager and SSM; our settings read the environment"),
}

#: Services kept though no code of ours names them (service → why).
RUNTIME_SERVICES: dict[str, str] = {
    # On Lambda the execution role's credentials come from the environment, first in botocore's chain. The
    # chain's other providers (a profile's role_arn, web identity) call STS; 0.05 MB keeps them working.
    "sts": "botocore's credential chain assumes roles through STS",
}


class UndeclaredServiceName(Exception):
    pass


class UnscannedClientMaker(Exception):
    pass


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _factory_names(tree: ast.Module, package: str) -> tuple[set[str], set[str]]:
    """(local names bound to a factory, local names bound to the factory module) in one module."""
    functions: set[str] = set()
    modules: set[str] = set()
    parent, _, leaf = CLIENT_FACTORY_MODULE.rpartition(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _absolute(node, package) == CLIENT_FACTORY_MODULE:
            functions |= {alias.asname or alias.name for alias in node.names if alias.name in CLIENT_FACTORIES}
        elif isinstance(node, ast.ImportFrom) and _absolute(node, package) == parent:
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == leaf}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == CLIENT_FACTORY_MODULE}
    return functions, modules


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _ServiceNames(ast.NodeVisitor):
    """The literal service names a module passes to the factories; `computed` when one is not a literal."""

    def __init__(self, functions: set[str], modules: set[str]) -> None:
        self.functions, self.modules = functions, modules
        self.services: set[str] = set()
        self.computed = False
        self._callees: set[int] = set()

    def _factory(self, node: ast.expr) -> bool:
        """`client`, `aws.client`, or `(quick_client if quick else client)`."""
        if isinstance(node, ast.Name) and node.id in self.functions:
            self._callees.add(id(node))
            return True
        if isinstance(node, ast.Attribute) and node.attr in CLIENT_FACTORIES and _dotted(node.value) in self.modules:
            self._callees.add(id(node))
            return True
        if isinstance(node, ast.IfExp):
            sides = self._factory(node.body), self._factory(node.orelse)
            if any(sides) and not all(sides):  # a factory or something else: the other side is unseen
                self.computed = True
            return all(sides)
        return False

    def visit_Call(self, node: ast.Call) -> None:
        if self._factory(node.func):
            named = node.args[0] if node.args else next(
                (keyword.value for keyword in node.keywords if keyword.arg == "service"), None)
            if isinstance(named, ast.Constant) and isinstance(named.value, str):
                self.services.add(named.value)
            else:
                self.computed = True
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        # A factory handed around (`make = client`, `map(client, names)`) is called with names unseen here.
        if node.id in self.functions and isinstance(node.ctx, ast.Load) and id(node) not in self._callees:
            self.computed = True

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in CLIENT_FACTORIES and _dotted(node.value) in self.modules and id(node) not in self._callees:
            self.computed = True
        self.generic_visit(node)


@cache
def services_named_in(module: str, root: Path = REPO_ROOT) -> frozenset[str]:
    """The services one of our modules asks the client factory for (DYNAMIC_SERVICES for computed names)."""
    if module == CLIENT_FACTORY_MODULE:
        return frozenset()
    imports = module_imports(module, root)
    makers = sorted(name for name in imports.eager | imports.lazy
                    if any(name == maker or name.startswith(maker + ".") for maker in _CLIENT_MAKERS))
    if makers:
        raise UnscannedClientMaker(
            f"{module} imports {', '.join(makers)}: create clients through {CLIENT_FACTORY_MODULE}.client, so "
            "layers/aws_services.py sees which service models the functions need")
    path = module_path(module, root)
    assert path is not None
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    functions, modules = _factory_names(tree, package)
    if not functions and not modules:
        return frozenset()
    scan = _ServiceNames(functions, modules)
    scan.visit(tree)
    if scan.computed:
        if module not in DYNAMIC_SERVICES:
            raise UndeclaredServiceName(
                f"{module} passes {CLIENT_FACTORY_MODULE}'s client factory a computed service name: declare the "
                "names it may pass in layers/aws_services.py DYNAMIC_SERVICES, or its functions ship without "
                "their models")
        return frozenset(scan.services | set(DYNAMIC_SERVICES[module]))
    return frozenset(scan.services)


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def services_of(local_modules: Iterable[str], third_party: Iterable[str], shipped_top_level: Iterable[str],
                root: Path = REPO_ROOT) -> set[str]:
    """A function's services: named by its modules, created by the libraries it reaches, and RUNTIME_SERVICES."""
    found = set(RUNTIME_SERVICES)
    for module in local_modules:
        found |= services_named_in(module, root)
    imported, shipped = set(third_party), set(shipped_top_level)
    for prefix, library in LIBRARY_CLIENTS.items():
        if prefix in shipped or any(_under(name, prefix) for name in imported):
            found |= set(library.services)
    return found


def library_client_calls(source: str, known_services: Iterable[str]) -> set[str]:
    """Services a library's source passes by literal to a `…client…(…)` or `…resource(…)` call (`boto3.client`,
    `session.create_client`, botocore's `_client_creator`, `create_nested_client(session, name)`, …).

    For the check that every library creating clients is declared (tests/infra/test_aws_services.py); a name
    passed in a variable escapes it.
    """
    known = set(known_services)
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if "client" in name or name.endswith("resource"):
            found |= {arg.value for arg in node.args[:2]
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value in known}
    return found
