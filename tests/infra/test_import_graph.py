"""The static import analysis behind each function's package (layers/import_graph.py, layers/plan.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from functions.catalog import by_name
from layers.import_graph import UndeclaredDynamicImport, UndeployedImport, closure, module_imports
from layers.plan import _check_not_pruned

pytestmark = pytest.mark.infra


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    module_imports.cache_clear()
    yield _tree(tmp_path, {
        "functions/__init__.py": "",
        "functions/calls/__init__.py": "",
        "functions/calls/handler.py": """
            from typing import TYPE_CHECKING
            import json
            import boto3
            from shared.dialer import windows
            from . import routes
            if TYPE_CHECKING:
                import mypy_boto3_s3
        """,
        "functions/calls/routes.py": """
            import importlib
            def reply():
                import anthropic
                from twilio.rest import Client
                importlib.import_module("reportlab.pdfgen")
        """,
        "shared/__init__.py": "",
        "shared/dialer/__init__.py": "",
        "shared/dialer/windows.py": """
            def zones(number):
                from phonenumbers import timezone
            def unused():
                from ..unreached import nothing
        """,
        "shared/unreached.py": "import lameenc\nnothing = 1\n",
    })
    module_imports.cache_clear()


def test_lazy_imports_inside_functions_count_and_type_checking_ones_do_not(repo: Path) -> None:
    found = closure(["functions.calls.handler"], root=repo)
    assert {"boto3", "anthropic", "twilio.rest", "twilio.rest.Client", "phonenumbers.timezone",
            "reportlab.pdfgen"} <= found.third_party
    assert not {name for name in found.third_party if name.startswith("mypy_boto3")}
    assert "json" not in found.top_level  # the standard library ships with the runtime


def test_relative_imports_and_parent_packages_are_followed(repo: Path) -> None:
    found = closure(["functions.calls.handler"], root=repo)
    assert {"functions", "functions.calls", "functions.calls.routes", "shared", "shared.dialer",
            "shared.dialer.windows", "shared.unreached"} <= found.local_modules
    assert "lameenc" in found.top_level  # reached through a function-level relative import


def test_eager_only_follows_what_importing_executes(repo: Path) -> None:
    found = closure(["functions.calls.handler"], root=repo, eager_only=True)
    assert found.top_level == {"boto3"}  # importlib is the standard library


def test_a_computed_import_must_be_declared(repo: Path) -> None:
    _tree(repo, {"functions/calls/routes.py": "import importlib\ndef load(name):\n    importlib.import_module(name)\n"})
    module_imports.cache_clear()
    with pytest.raises(UndeclaredDynamicImport, match=r"functions\.calls\.routes"):
        closure(["functions.calls.handler"], root=repo)
    module_imports.cache_clear()


def test_deployed_code_may_not_import_the_test_or_infra_packages(repo: Path) -> None:
    _tree(repo, {"functions/calls/routes.py": "from tests.helpers import fake\n"})
    module_imports.cache_clear()
    with pytest.raises(UndeployedImport, match=r"tests\.helpers"):
        closure(["functions.calls.handler"], root=repo)
    module_imports.cache_clear()


def test_the_real_dialer_step_reaches_the_phone_number_time_zones_and_twilio() -> None:
    found = closure([by_name("dialer_dial").module])
    assert "phonenumbers.timezone" in found.third_party
    assert "twilio" in found.top_level
    assert "reportlab" not in found.top_level and "anthropic" not in found.top_level


def test_the_health_function_gets_what_importing_every_route_handler_executes() -> None:
    found = closure([by_name("health").module])
    assert "functions.reports.handler" in found.local_modules
    assert "reportlab" not in found.top_level  # the PDF library is imported lazily, when a report renders


def test_importing_a_twilio_product_the_bundles_drop_fails_the_build() -> None:
    _check_not_pruned(by_name("numbers"), {"twilio.rest", "twilio.rest.Client", "twilio.rest.api.v2010"})
    with pytest.raises(ValueError, match="add 'lookups' to what it keeps"):
        _check_not_pruned(by_name("numbers"), {"twilio.rest.lookups.v2"})
