"""Contract tests: HTTP against the laptop stack (`python -m infra_local`), started once per session.

Every test in this folder is marked `contract`. Use `base_url` for URLs and `http` (a shared
`requests.Session` with a default timeout) to send them. When a test fails, the stack's output while it
ran (tracebacks of 500s, the email outbox) is attached to the report.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_TESTS = Path(__file__).resolve().parent
STARTUP_TIMEOUT_SECONDS = 30
REQUEST_TIMEOUT_SECONDS = 30
REPORTED_OUTPUT_CHARS = 20_000
STACK_OUTPUT_START = pytest.StashKey[tuple[Path, int]]()
#: The stack under test: a webhook secret the tests can sign with, and BYOK key checks answered by the
#: stack's own provider stand-in (tests never reach a real provider).
WEBHOOK_SECRET = f"contract-{uuid.uuid4().hex}"
SLACK_SIGNING_SECRET = f"slack-{uuid.uuid4().hex}"
STACK_ENVIRONMENT = {"PAYMENTS_WEBHOOK_SECRET": WEBHOOK_SECRET, "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
                     "SANDBOX_PROVIDER_VALIDATION": "true", "DIALER_WAIT_SCALE": "0.001"}


@dataclass(frozen=True)
class LocalStack:
    base_url: str
    output_path: Path
    voice_plane_port: int = 0


def pytest_configure(config: pytest.Config) -> None:
    if not any(line.split(":", 1)[0].strip() == "contract" for line in config.getini("markers")):
        config.addinivalue_line("markers", "contract: HTTP against the local stack (python -m infra_local)")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if CONTRACT_TESTS in item.path.parents:
            item.add_marker(pytest.mark.contract)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(STACK_ENVIRONMENT, tmp_path_factory.mktemp("local_stack")) as stack:
        yield stack


@contextmanager
def running_stack(environment: dict[str, str], output_dir: Path) -> Iterator[LocalStack]:
    """A local stack (`python -m infra_local`) with this environment, on a free port (and its voice plane on
    another), until the block ends."""
    port = _free_port()
    voice_plane_port = _free_port(other_than=port)
    base_url = f"http://127.0.0.1:{port}"
    # A file, not a pipe: nobody reads a pipe during the session, and a full one would block the stack.
    output_path = output_dir / "output.log"
    with output_path.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra_local"],
            cwd=REPO_ROOT,
            env={**os.environ, **environment, "PORT": str(port), "VOICE_PLANE_PORT": str(voice_plane_port),
                 "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base_url, process, output_path)
        yield LocalStack(base_url, output_path, voice_plane_port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def webhook_secret() -> str:
    """The secret the stack verifies payment webhooks with."""
    return WEBHOOK_SECRET


@pytest.fixture(scope="session")
def slack_signing_secret() -> str:
    """The secret the stack verifies Slack interactivity requests with."""
    return SLACK_SIGNING_SECRET


@pytest.fixture(scope="session")
def base_url(local_stack: LocalStack) -> str:
    return local_stack.base_url


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    """Shared by every test: cookies set by one test stay in it (use a fresh Session to isolate them)."""
    with _SessionWithTimeout() as session:
        yield session


@pytest.fixture(autouse=True)
def _remember_where_stack_output_starts(request: pytest.FixtureRequest) -> None:
    if "local_stack" in request.fixturenames:
        stack: LocalStack = request.getfixturevalue("local_stack")
        request.node.stash[STACK_OUTPUT_START] = (stack.output_path, stack.output_path.stat().st_size)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    if report.when == "call" and report.failed and STACK_OUTPUT_START in item.stash:
        output_path, start = item.stash[STACK_OUTPUT_START]
        with output_path.open("rb") as output:
            output.seek(start)
            text = output.read().decode("utf-8", "replace")
        report.sections.append(("local stack output during this test", text[-REPORTED_OUTPUT_CHARS:]))
    return report


class _SessionWithTimeout(requests.Session):
    """A hung request fails its test instead of hanging the session."""

    def request(self, *args, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def _free_port(other_than: int | None = None) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != other_than:
            return port


def _wait_until_healthy(base_url: str, process: subprocess.Popen, output_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _fail_to_start(f"exited with code {process.returncode}", output_path)
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    _fail_to_start(f"did not answer GET /healthz within {STARTUP_TIMEOUT_SECONDS} s", output_path)


def _fail_to_start(reason: str, output_path: Path) -> None:
    output = output_path.read_text(encoding="utf-8", errors="replace")
    pytest.fail(f"The local stack (python -m infra_local) {reason}. Its output:\n{output}", pytrace=False)
