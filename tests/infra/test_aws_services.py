"""The AWS service models the bundles keep (layers/aws_services.py): each client a function may create finds its model.

botocore's `data/` ships only the services some function creates a client for. A service name the derivation
misses would fail at run time (`UnknownServiceError`) in the cloud only; these tests make it fail the build.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from functions.catalog import FUNCTIONS
from layers import aws_services
from layers.aws_services import (
    LIBRARY_CLIENTS,
    UndeclaredServiceName,
    UnscannedClientMaker,
    library_client_calls,
    services_named_in,
    services_of,
)
from layers.import_graph import REPO_ROOT, closure, module_imports, module_path
from tests.infra.packages import deployed_package
from tests.infra.synthesis import Synthesis

pytestmark = pytest.mark.infra

#: `client("s3")`, `quick_client("sqs")`, `(quick_client if quick else client)("sqs")`: read by a regular
#: expression, independently of the syntax-tree scan that decides what ships.
NAMED_SERVICE = re.compile(r"\b(?:client|quick_client)\)?\(\s*[\"']([a-z0-9-]+)[\"']")
ROOT_FILES = ("endpoints.json", "partitions.json", "_retry.json", "sdk-default-configuration.json")


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    module_imports.cache_clear()
    services_named_in.cache_clear()
    yield _tree(tmp_path, {
        "shared/__init__.py": "",
        "shared/platform/__init__.py": "",
        "shared/platform/aws.py": "def client(service): import boto3\ndef quick_client(service): import boto3\n",
        "shared/store.py": """
            from shared.platform.aws import client, quick_client as fast
            from shared.platform import aws
            import shared.platform.aws
            def put(quick):
                client("s3").put_object()
                (fast if quick else client)("sqs").send_message()
                aws.client(service="kms").decrypt()
                shared.platform.aws.quick_client("ses")
        """,
        "shared/computed.py": """
            from shared.platform.aws import client
            def any_service(name):
                return client(name)
        """,
        "shared/handed_around.py": """
            from shared.platform.aws import client
            def all_clients(names):
                return list(map(client, names))
        """,
        "shared/own_client.py": """
            def s3():
                import boto3
                return boto3.client("s3")
        """,
    })
    module_imports.cache_clear()
    services_named_in.cache_clear()


def test_literal_names_conditional_factories_and_module_aliases_are_read(repo: Path) -> None:
    assert services_named_in("shared.store", repo) == {"s3", "sqs", "kms", "ses"}
    assert services_named_in("shared.platform.aws", repo) == set()  # the factory itself: `service` is a parameter


def test_a_computed_service_name_must_be_declared(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UndeclaredServiceName, match=r"shared\.computed .*DYNAMIC_SERVICES"):
        services_named_in("shared.computed", repo)
    with pytest.raises(UndeclaredServiceName, match=r"shared\.handed_around"):
        services_named_in("shared.handed_around", repo)
    monkeypatch.setitem(aws_services.DYNAMIC_SERVICES, "shared.computed", ("scheduler",))
    assert services_named_in("shared.computed", repo) == {"scheduler"}


def test_only_the_factory_module_may_create_clients(repo: Path) -> None:
    with pytest.raises(UnscannedClientMaker, match=r"shared\.own_client imports boto3"):
        services_named_in("shared.own_client", repo)


def test_a_librarys_clients_count_when_the_code_imports_it_or_ships_it_whole() -> None:
    found = services_of([], {"aws_lambda_powertools.utilities.parameters.ssm"}, {"pynamodb", "aws_lambda_powertools"})
    assert found == {"ssm", "secretsmanager", "appconfigdata", "dynamodb", "sts"}
    assert "xray" in services_of([], set(), {"aws_xray_sdk"})
    assert services_of([], {"aws_lambda_powertools.event_handler"}, {"aws_lambda_powertools"}) == {"sts"}


def test_the_library_scan_reads_the_usual_ways_of_creating_a_client() -> None:
    source = textwrap.dedent("""
        \"\"\"Docstrings do not count: boto3.client("ec2").\"\"\"
        import boto3
        from boto3 import client as boto3_client
        def make(session, name):
            boto3.client("s3"), boto3_client("ssm"), session.create_client("xray", endpoint_url="http://daemon")
            create_nested_client(session, "sso-oidc"), self._client_creator("sts"), boto3.resource("dynamodb")
            session.client(name), print("kms")
    """)
    known = {"s3", "ssm", "xray", "sso-oidc", "sts", "dynamodb", "kms", "ec2"}
    assert library_client_calls(source, known) == {"s3", "ssm", "xray", "sso-oidc", "sts", "dynamodb"}


def _botocore_services(site: Path) -> set[str]:
    return {path.name for path in (site / "botocore" / "data").iterdir() if path.is_dir()}


def _sites(synthesis: Synthesis) -> dict[Path, set[str]]:
    """Every distinct layer folder (`python/`) of the assembly → the functions using it."""
    sites: dict[Path, set[str]] = {}
    for spec in FUNCTIONS:
        for layer in deployed_package(synthesis, spec).layers:
            sites.setdefault(layer / "python", set()).add(spec.name)
    return sites


def test_every_service_a_functions_code_names_has_its_model_in_its_package(synthesis: Synthesis) -> None:
    for spec in FUNCTIONS:
        sites = [site for site in (layer / "python" for layer in deployed_package(synthesis, spec).layers)
                 if (site / "botocore").is_dir()]
        assert len(sites) == 1, spec.name
        (site,) = sites
        assert all((site / "botocore" / "data" / name).is_file() for name in ROOT_FILES), spec.name
        named = set()
        for module in closure([spec.module]).local_modules:
            named |= set(NAMED_SERVICE.findall(module_path(module).read_text()))
        shipped = _botocore_services(site)
        assert named <= shipped, f"{spec.name} creates clients for {sorted(named - shipped)}, not in its botocore/data"
        assert {"dynamodb", "xray"} <= shipped, spec.name  # pynamodb and the X-Ray SDK's sampling poller
        assert "ec2" not in shipped and "sagemaker" not in shipped, spec.name


def test_every_library_creating_clients_for_a_service_the_bundles_drop_is_declared(synthesis: Synthesis) -> None:
    """A shipped library that names a service in a client call: the service ships, or LIBRARY_CLIENTS says why not."""
    undeclared = []
    kept = set().union(*(_botocore_services(site) for site in _sites(synthesis) if (site / "botocore").is_dir()))
    known = {path.name for path in (REPO_ROOT / "layers" / "build" / "install" / "full" / "botocore" / "data").iterdir()
             if path.is_dir()}
    assert len(known) > 300  # the full install's every service, to recognise names
    for site in _sites(synthesis):
        for path in site.rglob("*.py"):
            source = path.read_text(errors="replace")
            if "client" not in source and "resource(" not in source:
                continue
            module = ".".join(path.relative_to(site).with_suffix("").parts).removesuffix(".__init__")
            for service in library_client_calls(source, known) - kept:
                if not any((module == prefix or module.startswith(prefix + ".")) and service in library.services
                           for prefix, library in LIBRARY_CLIENTS.items()):
                    undeclared.append(f"{module}: {service}")
    assert not undeclared, f"declare in layers/aws_services.py LIBRARY_CLIENTS: {undeclared}"
