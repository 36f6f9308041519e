"""Every function's deployed size: its code asset plus its layers, unzipped (sum of file sizes).

Builds what synth deploys (layers/assemble.py and layers/code_asset.py; the pip install only when
missing or stale) and measures it; tests/infra/test_package_sizes.py checks the same on the assembly.
"""

from __future__ import annotations

import statistics

from functions.catalog import FUNCTIONS
from layers.assemble import DEFAULT_BUILD_DIR, assemble, ensure_installed
from layers.code_asset import stage_code
from layers.sizes import LAMBDA_UNZIPPED_LIMIT, tree_size

MB = 1_000_000
LARGEST_TARGET_MB = 120
MEDIAN_TARGET_MB = 60


def run() -> dict:
    build_dir = DEFAULT_BUILD_DIR
    ensure_installed(build_dir)
    layers = assemble(build_dir)
    rows = []
    for spec in FUNCTIONS:
        code = tree_size(stage_code(spec, build_dir / "code" / spec.name))
        layer_sizes = [tree_size(folder) for folder in layers[spec.name]]
        rows.append({
            "function": spec.name,
            "code_mb": round(code / MB, 2),
            "layers_mb": [round(size / MB, 1) for size in layer_sizes],
            "layer_keys": [folder.name for folder in layers[spec.name]],
            "total_mb": round((code + sum(layer_sizes)) / MB, 1),
        })
    rows.sort(key=lambda row: -row["total_mb"])
    totals = [row["total_mb"] for row in rows]
    return {
        "functions": rows,
        "largest_mb": max(totals),
        "median_mb": statistics.median(totals),
        "limit_mb": round(LAMBDA_UNZIPPED_LIMIT / MB, 1),
        "ok": max(totals) <= LARGEST_TARGET_MB and statistics.median(totals) <= MEDIAN_TARGET_MB,
    }


def print_table(sizes: dict) -> None:
    print("Lambda package sizes (code + layers, unzipped, sum of file sizes; "
          f"Lambda's limit {sizes['limit_mb']} MB):")
    print(f"  {'function':<22} {'total':>8}  {'code':>6}  layers (common first)")
    for row in sizes["functions"]:
        layers = " + ".join(f"{size} ({key})" for size, key in zip(row["layers_mb"], row["layer_keys"], strict=True))
        print(f"  {row['function']:<22} {row['total_mb']:>6.1f} MB {row['code_mb']:>6.2f}  {layers}")
    verdict = "ok" if sizes["ok"] else "OVER TARGET"
    print(f"  largest {sizes['largest_mb']} MB (target ≤ {LARGEST_TARGET_MB}), median {sizes['median_mb']} MB "
          f"(target ≤ {MEDIAN_TARGET_MB})  {verdict}")


if __name__ == "__main__":
    print_table(run())
