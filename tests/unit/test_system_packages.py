"""infra_local/system_packages.sh, which `make run` and `make test` call: espeak-ng is installed only when it is
missing, and the package lists are refreshed only when apt cannot install without them. Driven with fake
`apt-get` / `apt-cache` / `sudo` commands on a PATH of their own: nothing is installed for real."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "infra_local" / "system_packages.sh"
BASH = shutil.which("bash") or "/bin/bash"


def _fake(bin_dir: Path, name: str, body: str) -> None:
    command = bin_dir / name
    command.write_text(f"#!{BASH}\n{body}\n")
    command.chmod(0o755)


def _run(tmp_path: Path, *, espeak: bool, lists_know_it: bool, apt: bool = True) -> tuple[int, list[str], str]:
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    log.touch()
    if espeak:
        _fake(bin_dir, "espeak-ng", "exit 0")
    if apt:
        _fake(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}')
        _fake(bin_dir, "apt-cache", f'echo "apt-cache $*" >> {log}; exit {0 if lists_know_it else 100}')
        _fake(bin_dir, "sudo", f'echo "sudo" >> {log}; exec "$@"')
    done = subprocess.run([BASH, str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True,
                          timeout=30)
    calls = [line for line in log.read_text().splitlines() if line != "sudo"]
    return done.returncode, calls, done.stderr


def test_nothing_is_touched_when_espeak_ng_is_installed(tmp_path: Path) -> None:
    code, calls, _ = _run(tmp_path, espeak=True, lists_know_it=False)

    assert code == 0 and calls == []


def test_a_fresh_machine_refreshes_the_lists_then_installs(tmp_path: Path) -> None:
    code, calls, _ = _run(tmp_path, espeak=False, lists_know_it=False)

    assert code == 0
    assert calls == ["apt-cache show espeak-ng", "apt-get update -qq",
                     "apt-get install -y -qq --no-install-recommends espeak-ng"]


def test_known_lists_install_without_an_update(tmp_path: Path) -> None:
    code, calls, _ = _run(tmp_path, espeak=False, lists_know_it=True)

    assert code == 0
    assert calls == ["apt-cache show espeak-ng", "apt-get install -y -qq --no-install-recommends espeak-ng"]


def test_without_a_package_manager_it_says_what_to_install_and_fails(tmp_path: Path) -> None:
    code, calls, stderr = _run(tmp_path, espeak=False, lists_know_it=False, apt=False)

    assert code == 1 and calls == [] and "espeak-ng" in stderr


@pytest.mark.parametrize("target", ["run", "test", "test-unit", "test-contract", "bench"])
def test_the_makefile_calls_it_before_running_anything(target: str) -> None:
    makefile = (SCRIPT.parents[1] / "Makefile").read_text()
    rule = next(line for line in makefile.splitlines() if line.startswith(f"{target}:"))

    assert "system-packages" in rule.split(":", 1)[1].split("##")[0]
    assert "bash infra_local/system_packages.sh" in makefile
