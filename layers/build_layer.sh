#!/usr/bin/env bash
# Build the Lambda dependency layer (requirements.txt) into layers/build/python, without Docker.
#
# pip picks the manylinux wheels of the Lambda runtime (CPython 3.12, x86_64) whatever machine this
# runs on; then a Python 3.12 compiles them to .pyc, because /opt is read-only on Lambda and every
# cold start would otherwise compile them again. Keep the version and CPU in step with
# infra_cdk/constructs/lambda_platform.py.
#
#   PYTHON      the python whose pip downloads the wheels (default: .venv/bin/python)
#   PYC_PYTHON  a Python 3.12 for the .pyc files (default: the first 3.12 found, see below)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
RUNTIME_VERSION="3.12"
PLATFORM="manylinux2014_x86_64"
SITE_PACKAGES="layers/build/python"

is_runtime_python() {
  [ -n "$1" ] && "$1" -c "import sys; sys.exit(sys.version_info[:2] != (${RUNTIME_VERSION/./, }))" 2>/dev/null
}

find_runtime_python() {
  local candidate
  for candidate in "${PYC_PYTHON:-}" "$PYTHON" "python${RUNTIME_VERSION}" \
    "${PYENV_ROOT:-$HOME/.pyenv}/versions/${RUNTIME_VERSION}"*/bin/python${RUNTIME_VERSION}; do
    if is_runtime_python "$candidate"; then
      echo "$candidate"
      return
    fi
  done
}

rm -rf layers/build
mkdir -p "$SITE_PACKAGES"
# --no-compile: pip would write .pyc for its own interpreter's version, which Lambda would ignore.
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile \
  --platform "$PLATFORM" --implementation cp --python-version "$RUNTIME_VERSION" --only-binary=:all: \
  --target "$SITE_PACKAGES" -r requirements.txt

RUNTIME_PYTHON="$(find_runtime_python)"
if [ -n "$RUNTIME_PYTHON" ]; then
  # unchecked-hash: CDK zips assets with fixed timestamps, so timestamp-checked .pyc would be stale.
  "$RUNTIME_PYTHON" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$SITE_PACKAGES"
else
  echo "warning: no Python ${RUNTIME_VERSION} found (set PYC_PYTHON): the layer ships without .pyc" >&2
fi

echo "layer built in layers/build: $(du -sh layers/build | cut -f1) unpacked (Lambda allows 250 MB with the code)"
