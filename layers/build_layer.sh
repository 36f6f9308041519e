#!/usr/bin/env bash
# Build every function's dependency bundle into layers/build (no Docker): see layers/README.md.
#
# One pip install of requirements.txt (and of layers/slim-requirements.txt) for the Lambda runtime
# (CPython 3.12, x86_64 manylinux wheels, whatever machine runs this), one compile to .pyc by a
# Python 3.12, then per distinct set of distributions a folder of hard links (layers/assemble.py).
# Prints each bundle's true size (sum of file sizes, as Lambda counts; not du blocks).
#
#   PYTHON      the python whose pip downloads the wheels (default: .venv/bin/python)
#   PYC_PYTHON  a Python 3.12 for the .pyc files (default: the first 3.12 found)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
PYTHON="$PYTHON" exec "$PYTHON" -m layers.assemble
