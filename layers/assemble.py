"""Build the per-function dependency bundles: `python -m layers.assemble` (make layer).

1. `install()`: one `pip install --target` of requirements.txt for the Lambda runtime, one of the slim
   replacements (layers/slim-requirements.txt) beside it, and one compile to `.pyc` by a Python 3.12.
   Needs the package index (pip's cache makes a rebuild take seconds).
2. `assemble()`: for every distinct set of distributions (layers/plan.py), a folder `deps/<key>/python`
   of hard links into the install, without what no function loads (tests, stubs, C sources, docs,
   RECORD, the models of AWS services no function calls). Offline and fast; CDK synth calls it, so the
   bundles always follow the code's imports.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from layers.plan import (
    PRUNED_SUBPACKAGES,
    REQUIREMENTS,
    SERVICE_MODEL_FOLDERS,
    SLIM_REQUIREMENTS,
    Bundle,
    Installs,
    bundles,
    installs_in,
)
from layers.runtime import RUNTIME_VERSION, runtime_python
from layers.sizes import tree_size

DEFAULT_BUILD_DIR = Path(__file__).resolve().parent / "build"
PLATFORM = "manylinux2014_x86_64"
COMPLETE_MARKER = ".complete"

#: Files no function loads: type stubs, C/Cython sources, docs, the RECORD (~1 MB of hashes) and the
#: installer's bookkeeping. METADATA stays (importlib.metadata.version reads it), and licenses stay.
_DROPPED_SUFFIXES = (".pyi", ".pyx", ".pxd", ".c", ".h", ".md", ".rst")
_DROPPED_NAMES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "py.typed"}
_DROPPED_DIRS = {"tests", "test", "__pycache__"}


def _pruned(distribution: str, file: PurePosixPath) -> bool:
    if distribution not in PRUNED_SUBPACKAGES:
        return False
    prefix, kept = PRUNED_SUBPACKAGES[distribution]
    path = file.as_posix()
    return path.startswith(prefix) and path[len(prefix):].split("/", 1)[0] not in kept


def _unused_service_model(distribution: str, file: PurePosixPath, services: tuple[str, ...]) -> bool:
    """A file in the folder of a service no function creates a client for (its root files always ship)."""
    prefix = SERVICE_MODEL_FOLDERS.get(distribution)
    path = file.as_posix()
    if prefix is None or not path.startswith(prefix):
        return False
    service, _, rest = path[len(prefix):].partition("/")
    return bool(rest) and service not in services


def _shipped(file: PurePosixPath) -> bool:
    top = file.parts[0]
    if top in {"..", "bin"} or top.endswith("-stubs") or file.suffix == ".pyc":
        return False
    if file.name in _DROPPED_NAMES or file.suffix in _DROPPED_SUFFIXES:
        return False
    return not any(part in _DROPPED_DIRS for part in file.parts[1:-1])


def _compiled(file: PurePosixPath) -> PurePosixPath:
    tag = f"cpython-{RUNTIME_VERSION.replace('.', '')}"
    return file.parent / "__pycache__" / f"{file.stem}.{tag}.pyc"


def _pip_install(python: str, target: Path, *args: str) -> None:
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--platform", PLATFORM, "--implementation", "cp", "--python-version", RUNTIME_VERSION,
         "--only-binary=:all:", "--target", str(target), *args],
        check=True,
    )


def install(build_dir: Path = DEFAULT_BUILD_DIR, *, python: str = sys.executable) -> Installs:
    """The shared installs every bundle links into (rebuilt from scratch)."""
    install_dir = build_dir / "install"
    shutil.rmtree(install_dir, ignore_errors=True)
    _pip_install(python, install_dir / "full", "-r", str(REQUIREMENTS))
    _pip_install(python, install_dir / "slim", "--no-deps", "-r", str(SLIM_REQUIREMENTS))
    compiler = runtime_python()
    if compiler is None:
        print(f"warning: no Python {RUNTIME_VERSION} found (set PYC_PYTHON): bundles ship without .pyc",
              file=sys.stderr)
    else:
        # unchecked-hash: CDK zips assets with fixed timestamps, so timestamp-checked .pyc would look
        # stale; /opt is read-only on Lambda, so without them every cold start compiles again.
        subprocess.run([compiler, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                        str(install_dir)], check=True, stdout=subprocess.DEVNULL)
    (install_dir / COMPLETE_MARKER).write_text(_inputs_digest())
    return installs_in(build_dir)


def _inputs_digest() -> str:
    """What the install is made from: when it changes, the install is stale."""
    text = "".join(path.read_text() for path in (REQUIREMENTS, SLIM_REQUIREMENTS)) + RUNTIME_VERSION + PLATFORM
    return hashlib.sha256(text.encode()).hexdigest()


def ensure_installed(build_dir: Path = DEFAULT_BUILD_DIR, *, python: str = sys.executable) -> Installs:
    """The install, rebuilt only when missing or made from other requirements (tests call this)."""
    marker = build_dir / "install" / COMPLETE_MARKER
    if not marker.is_file() or marker.read_text() != _inputs_digest():
        return install(build_dir, python=python)
    return installs_in(build_dir)


def bundle_dir(build_dir: Path, bundle: Bundle) -> Path:
    return build_dir / "deps" / bundle.key


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system: copy instead
        shutil.copy2(source, target)


def assemble_bundle(build_dir: Path, bundle: Bundle, installs: Installs) -> Path:
    """`deps/<key>/python`, linked from the installs; kept as is when already complete."""
    folder = bundle_dir(build_dir, bundle)
    if (folder / COMPLETE_MARKER).is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    site = folder / "python"
    for name, _version in bundle.distributions:
        # "package/subpackage": a graft of the full distribution's subpackage (see plan.SLIM_VARIANTS).
        distribution, _, graft = name.partition("/")
        installed = installs.full if graft else installs.of(name)
        for file in installed.by_name[distribution].files:
            if graft and not file.as_posix().startswith(f"{name}/"):
                continue
            if not _shipped(file) or _pruned(distribution, file):
                continue
            if _unused_service_model(distribution, file, bundle.aws_services):
                continue
            _link(installed.folder / file, site / file)
            if file.suffix == ".py" and (installed.folder / _compiled(file)).is_file():
                _link(installed.folder / _compiled(file), site / _compiled(file))
    (folder / COMPLETE_MARKER).touch()
    return folder


def require_installs(build_dir: Path) -> Installs:
    marker = build_dir / "install" / COMPLETE_MARKER
    if not marker.is_file():
        raise FileNotFoundError(f"{build_dir}/install is missing or incomplete: run `make layer` first")
    if marker.read_text() != _inputs_digest():
        raise FileNotFoundError(f"{build_dir}/install was built from other requirements: run `make layer`")
    return installs_in(build_dir)


def assemble(build_dir: Path = DEFAULT_BUILD_DIR) -> dict[str, list[Path]]:
    """Every function's layer folders, in order (function name → folders holding `python/`)."""
    installs = require_installs(build_dir)
    folders: dict[str, list[Path]] = {}
    planned = bundles(installs)
    for bundle in planned:
        folder = assemble_bundle(build_dir, bundle, installs)
        for function in bundle.functions:
            folders.setdefault(function, []).append(folder)
    _drop_stale(build_dir, {bundle_dir(build_dir, bundle) for bundle in planned})
    return folders


def _drop_stale(build_dir: Path, wanted: Iterable[Path]) -> None:
    keep = set(wanted)
    for folder in (build_dir / "deps").iterdir():
        if folder not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """`--if-stale`: reinstall only when the requirements changed (make synth); else always (make layer)."""
    build_dir = Path(os.environ.get("LAYER_BUILD_DIR", DEFAULT_BUILD_DIR))
    python = os.environ.get("PYTHON", sys.executable)
    if "--if-stale" in sys.argv[1:]:
        ensure_installed(build_dir, python=python)
    else:
        install(build_dir, python=python)
    folders = assemble(build_dir)
    install_size = tree_size(build_dir / "install")
    print(f"installed once: {install_size / 1e6:.1f} MB in {build_dir / 'install'}")
    print("layers (true sizes: sums of file sizes, as Lambda counts them; not du blocks):")
    for folder in sorted({folder for used in folders.values() for folder in used}):
        users = sorted(name for name, used in folders.items() if folder in used)
        print(f"{tree_size(folder) / 1e6:7.1f} MB  {folder.name}  {', '.join(users)}")
    largest = max(sum(tree_size(folder) for folder in used) for used in folders.values())
    print(f"largest function's dependencies: {largest / 1e6:.1f} MB (limit with code: 262.1 MB = 250 MiB)")
    print("per function with its code: make bench")


if __name__ == "__main__":
    main()
