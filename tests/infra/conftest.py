"""One synthesis of the CDK app per test run (it costs seconds and ~0.7 GB): every infra test reads it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# Synth must not need Docker: CDK runs `$CDK_DOCKER` for any Docker work, and this one fails the synth loudly.
os.environ["CDK_DOCKER"] = str(Path(__file__).with_name("no_docker.sh"))

from tests.infra.synthesis import Synthesis, load, synthesise  # jsii reads the environment at import

NO_DOCKER = Path(os.environ["CDK_DOCKER"])


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    if "PYTEST_XDIST_WORKER" not in os.environ:
        assembly_dir = tmp_path_factory.mktemp("infra") / "cdk.out"
        synthesise(assembly_dir)
        return load(assembly_dir)
    # Each pytest-xdist worker is a session of its own: the first to get here synthesises into the
    # run's shared temp folder, the others wait for it and read the same cdk.out.
    shared = tmp_path_factory.getbasetemp().parent / "infra-synthesis"
    shared.mkdir(exist_ok=True)
    assembly_dir = shared / "cdk.out"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (assembly_dir / "manifest.json").exists():
            synthesise(assembly_dir)
    return load(assembly_dir)
