"""Cold import time of each function's handler module, against a bare `import boto3` in the same run.

Each sample is a fresh interpreter (what a Lambda cold start pays), with `.pyc` files already
compiled, as they are in the deployed asset. Target: every handler ≤ 1.5× boto3.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from functions.catalog import FUNCTIONS

SAMPLES = 9
TIMER = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _import_seconds(module: str) -> float:
    # Any non-empty PYTHONDONTWRITEBYTECODE (even "0") stops .pyc files being written: drop it.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    output = subprocess.run([sys.executable, "-c", TIMER.format(module=module)], capture_output=True, text=True,
                            check=True, env=env).stdout
    return float(output.strip().splitlines()[-1])


def median_import_ms(module: str) -> float:
    _import_seconds(module)  # compile .pyc first, as the deployment does
    return statistics.median(_import_seconds(module) for _ in range(SAMPLES)) * 1000


def run() -> list[dict]:
    baseline = median_import_ms("boto3")
    rows = [{"module": "boto3 (baseline)", "ms": round(baseline, 1), "ratio": 1.0}]
    for function in FUNCTIONS:
        ms = median_import_ms(function.module)
        rows.append({"module": function.module, "ms": round(ms, 1), "ratio": round(ms / baseline, 2)})
    return rows
