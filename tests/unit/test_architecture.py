"""The architecture is enforced: `lint-imports` checks the contracts in .importlinter (docs/ARCHITECTURE.md).

The first test runs the real command on the project, so `make test` (and CI) fails on a broken floor, an
import cycle, an adapter reading a repository, pynamodb outside a repository or AWS/SDK calls outside an
adapter. The others prove the contracts can fail: each breaks one rule in a scratch copy of the code and
expects `lint-imports` to name that very import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
PACKAGES = ("shared", "functions", "infra_local", "infra_cdk", "bench", "voice")
#: The `lint-imports` command, run by this interpreter (so it is the virtualenv's import-linter).
LINT_IMPORTS = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                                      "sys.exit(lint_imports_command())"]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the code under `root`, with the project's contracts (and its contract types, from this
    repository's tests package); no cache left behind."""
    return subprocess.run([*LINT_IMPORTS, "--config", str(CONFIG), "--no-cache"], cwd=root,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join((str(root), str(ROOT))), "NO_COLOR": "1",
                               "COLUMNS": "200"},
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def scratch_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("architecture")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


@pytest.mark.parametrize(("module", "statement", "reported"), [
    # The ground floor importing a domain.
    ("shared/platform/errors.py", "from shared.billing import service",
     "shared.platform.errors -> shared.billing.service"),
    # Shared code importing a handler.
    ("shared/accounts/models.py", "from functions import catalog", "shared.accounts.models -> functions.catalog"),
    # An adapter reading a domain's repository.
    ("shared/providers/tts/cartesia.py", "from shared.billing import repository",
     "shared.providers.tts.cartesia -> shared.billing.repository"),
    # A cycle between two packages (shared.providers.status already asks the email package its mode).
    ("shared/providers/email/port.py", "from shared.providers import status",
     "No cycles are allowed in shared.providers."),
    # A cycle between two modules of one package.
    ("shared/billing/models.py", "from shared.billing import ledger", ".models -> .ledger"),
    # pynamodb outside a repository.
    ("shared/billing/service.py", "import pynamodb", "shared.billing.service -> pynamodb"),
    # AWS outside an adapter, a repository or the platform.
    ("shared/billing/service.py", "from shared.platform.aws import client",
     "shared.billing.service -> shared.platform.aws"),
    ("shared/dialer/runs.py", "import botocore", "shared.dialer.runs -> botocore"),
    # A provider's SDK outside its adapter.
    ("shared/calls/models.py", "import anthropic", "shared.calls.models -> anthropic"),
    # A Lambda importing the voice plane (its pipecat stack would follow into the package), and the domain too.
    ("functions/catalog.py", "from voice import brain", "functions.catalog -> voice.brain"),
    ("shared/calls/models.py", "from voice import brain", "shared.calls.models -> voice.brain"),
], ids=["platform-imports-domain", "shared-imports-function", "adapter-reads-repository", "package-cycle",
        "module-cycle", "pynamodb-outside-repository", "aws-client-in-service", "botocore-in-service",
        "sdk-outside-adapter", "function-imports-voice-plane", "shared-imports-voice-plane"])
def test_a_broken_rule_is_reported(scratch_copy, module, statement, reported):
    source = scratch_copy / module
    original = source.read_text()
    source.write_text(original + f"\n{statement}  # noqa\n")
    try:
        result = lint_imports(scratch_copy)
    finally:
        source.write_text(original)

    assert result.returncode != 0
    assert reported in result.stdout, result.stdout


def test_a_new_repository_module_may_import_pynamodb_and_no_adapter_may_read_it(scratch_copy):
    new_store = scratch_copy / "shared" / "billing" / "refunds_repository.py"
    reader = scratch_copy / "shared" / "providers" / "tts" / "port.py"
    original = reader.read_text()
    new_store.write_text("import pynamodb  # noqa\n")
    reader.write_text(original + "\nfrom shared.billing import refunds_repository  # noqa\n")
    try:
        result = lint_imports(scratch_copy)
    finally:
        new_store.unlink()
        reader.write_text(original)

    assert "Only repositories (and the platform's storage) import pynamodb KEPT" in result.stdout, result.stdout
    assert "shared.providers.tts.port -> shared.billing.refunds_repository" in result.stdout, result.stdout
