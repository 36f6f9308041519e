"""Browser tests: the console in the distribution's Chromium (Playwright for Python), against the local stack.

One local stack per session (`python -m infra_local`, as the contract tests start it) serving `console/dist`
(`make console` builds it; `make test` does first). Each test gets a fresh browser context. `Console.check(name)`
saves a screenshot under tests/browser/artifacts/ and runs axe-core (from the console's npm devDependencies) on the
page: no serious or critical violation. A page that logs an error (a CSP refusal, an uncaught exception) fails its
test.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.contract.conftest import STACK_ENVIRONMENT, LocalStack, running_stack

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS = Path(__file__).resolve().parent
CONSOLE_DIST = REPO_ROOT / "console" / "dist"
AXE_SOURCE = REPO_ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = BROWSER_TESTS / "artifacts"
BLOCKING_IMPACTS = ("serious", "critical")
DEFAULT_TIMEOUT_MS = 15_000


def pytest_configure(config: pytest.Config) -> None:
    if not any(line.split(":", 1)[0].strip() == "browser" for line in config.getini("markers")):
        config.addinivalue_line("markers", "browser: the console in a real Chromium against the local stack")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def console_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    if not (CONSOLE_DIST / "index.html").is_file():
        pytest.fail("The console is not built: run `make console` (make test builds it first)", pytrace=False)
    with running_stack(STACK_ENVIRONMENT, tmp_path_factory.mktemp("console_stack")) as stack:
        yield stack


@pytest.fixture(scope="session")
def base_url(console_stack: LocalStack) -> str:
    return console_stack.base_url


# Per module, not per session: Playwright's sync API keeps an asyncio loop running on the test thread while it
# lives, and `make test` runs other files in the same worker afterwards (asyncio.run() there would refuse).
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    # A shared 2-core machine: password hashing and a campaign's generation take seconds under load.
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make browser` (apt-get install chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


@dataclass
class Console:
    """A page of the console, with the checks every page must pass."""

    page: object
    base_url: str
    artifacts: Path
    errors: list[str] = field(default_factory=list)
    shots: int = 0

    def open(self, route: str = "/") -> None:
        """Open a console route (`/campaigns/…`: a hash route, the page itself is always `/`)."""
        self.page.goto(f"{self.base_url}/#{route}")

    def check(self, name: str) -> None:
        """A screenshot of the page as it is now, and axe-core on it: no serious or critical violation."""
        self.page.wait_for_load_state("networkidle")
        self.shots += 1
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.artifacts / f"{self.shots:02d}-{name}.png"), full_page=True)
        violations = axe_violations(self.page)
        assert violations == [], f"axe-core on {name}: " + json.dumps(violations, indent=1)[:4000]
        assert self.errors == [], f"the page logged errors on {name}: {self.errors}"


def sign_up(console: Console, password: str, country: str | None = None) -> str:
    """A new workspace through the console's sign-up page (which logs in): its owner's email."""
    email = f"pages-{uuid.uuid4().hex[:10]}@example.com"
    console.open("/signup")
    console.page.get_by_label("Work email").fill(email)
    console.page.get_by_label("Password").fill(password)
    if country:
        console.page.get_by_label("Country").select_option(country)
    console.page.get_by_role("button", name="Create workspace").click()
    expect_heading(console, "Overview")
    return email


def expect_heading(console: Console, name: str) -> None:
    from playwright.sync_api import expect

    expect(console.page.get_by_role("heading", name=name, level=1)).to_be_visible()


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page. Evaluated through the DevTools protocol, which the
    page's CSP (scripts from 'self' only) does not apply to."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("""async () => {
        const result = await window.axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [violation for violation in results if violation["impact"] in BLOCKING_IMPACTS]


@pytest.fixture
def console(chromium, base_url: str, request: pytest.FixtureRequest) -> Iterator[Console]:
    context = chromium.new_context(base_url=base_url, accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    artifacts = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(artifacts, ignore_errors=True)
    console = Console(page=page, base_url=base_url, artifacts=artifacts)
    page.on("console", lambda message: _keep_error(console.errors, message))
    page.on("pageerror", lambda error: console.errors.append(str(error)))
    yield console
    if getattr(request.node, "failed_call", False):
        artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artifacts / "failure.png"), full_page=True)
    context.close()


def _keep_error(errors: list[str], message) -> None:
    # The network's own line for a 4xx/5xx answer is not a page error: the console shows those answers itself.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
