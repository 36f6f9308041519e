"""`make bench`: cold imports and warm requests, printed as a table and written to bench/results/."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

COLD_IMPORT_TARGET = 1.5
WARM_REQUEST_TARGET = 1.5
AWS_CALLS_TARGET = 3


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from bench import cold_import, warm_requests

    imports = cold_import.run()
    print("Cold import (median of fresh interpreters, .pyc compiled):")
    for row in imports:
        verdict = "ok" if row["ratio"] <= COLD_IMPORT_TARGET else "OVER TARGET"
        print(f"  {row['module']:<32} {row['ms']:>7.1f} ms  {row['ratio']:>5.2f}x boto3  {verdict}")

    warm = warm_requests.run()
    for label, figures in (("over HTTP", warm["http"]), ("in-process, no socket", warm["in_process"])):
        print(f"\nWarm requests through the local stack, {label} (median of {warm_requests.SAMPLES}):")
        print(f"  bare handler, one GetItem            {figures['bare_get_item_ms']:>7.3f} ms")
        verdict = "ok" if figures["ratio"] <= WARM_REQUEST_TARGET else "OVER TARGET"
        print(f"  GET /billing/balance with an API key {figures['balance_with_api_key_ms']:>7.3f} ms  "
              f"{figures['ratio']:.2f}x  {verdict}")
    print(f"  GET /healthz (framework only, no AWS) {warm['in_process']['healthz_no_aws_ms']:>6.3f} ms")
    print("\nAWS calls per authenticated request:")
    for label, calls in warm["aws_calls_per_request"].items():
        total = sum(calls.values())
        verdict = "ok" if total <= AWS_CALLS_TARGET else "OVER TARGET"
        print(f"  {label:<34} {total}  {calls}  {verdict}")

    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"bench-{stamp}.json").write_text(json.dumps({"cold_import": imports, "warm": warm}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
