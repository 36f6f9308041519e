"""`make bench`: cold imports, warm requests, the dialer and the voice plane, printed as a table and written to
bench/results/."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

COLD_IMPORT_TARGET = 1.5
WARM_REQUEST_TARGET = 1.5
AWS_CALLS_TARGET = 3
AUDIENCE_CPU_RATIO_TARGET = 0.7
AUDIENCE_REQUESTS_TARGET = 45
AUDIENCE_PEAK_MB_TARGET = 300


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from bench import audience_ingest, cold_import, dialer, package_sizes, report_render, voice_plane, warm_requests

    packages = package_sizes.run()
    package_sizes.print_table(packages)
    print()

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
        verdict = "ok" if figures["cpu_ratio"] <= WARM_REQUEST_TARGET else "OVER TARGET"
        print(f"  the same in CPU time (steadier on a busy machine): bare {figures['bare_get_item_cpu_ms']:.3f} ms, "
              f"balance {figures['balance_with_api_key_cpu_ms']:.3f} ms  {figures['cpu_ratio']:.2f}x  {verdict}")
    print(f"  GET /healthz (framework only, no AWS) {warm['in_process']['healthz_no_aws_ms']:>6.3f} ms")
    in_process = warm["in_process"]
    print(f"  the credential+wallet BatchGetItem alone (the floor) {in_process['credential_and_wallet_read_ms']:.3f} ms"
          f"  {in_process['credential_and_wallet_read_ratio']:.2f}x the bare handler")
    print(f"\nAWS calls per authenticated request (mean of {warm_requests.CALL_COUNT_REQUESTS}; rate-limit tokens "
          f"leased {warm['rate_limit_lease_size']} at a time):")
    for label, calls in warm["aws_calls_per_request"].items():
        total = sum(calls.values())
        verdict = "ok" if total <= AWS_CALLS_TARGET else "OVER TARGET"
        print(f"  {label:<34} {total:.2f}  {calls}  {verdict}")

    audience = audience_ingest.run()
    print(f"\nAudience ingest of a {audience['rows']:,}-row CSV on moto ({audience['result']}):")
    verdict = "ok" if audience["ratio"] >= AUDIENCE_CPU_RATIO_TARGET else "UNDER TARGET"
    print(f"  raw phonenumbers parse + is_valid_number {audience['raw_phonenumbers_rows_per_s']:>8,} rows/s")
    print(f"  ingest, rows per CPU second             {audience['ingest_rows_per_cpu_s']:>8,} rows/s  "
          f"{audience['ratio']:.2f}x  {verdict}  (moto's server side excluded: {audience['moto_cpu_s']} s; "
          f"with it {audience['ingest_rows_per_cpu_s_including_moto']:,} rows/s)")
    verdict = "ok" if audience["requests_per_1000_rows"] <= AUDIENCE_REQUESTS_TARGET else "OVER TARGET"
    print(f"  DynamoDB requests per 1,000 rows        {audience['requests_per_1000_rows']:>8}  "
          f"{audience['dynamodb_requests']}  {verdict}")
    verdict = "ok" if audience["peak_rss_mb"] <= AUDIENCE_PEAK_MB_TARGET else "OVER TARGET"
    print(f"  peak memory (process RSS)               {audience['peak_rss_mb']:>8} MB  {verdict}")

    dialing = dialer.run()
    _print_dialer(dialing)

    from bench import sandbox_campaign

    campaign = sandbox_campaign.run()  # 100 targets through the voice plane, in real time: minutes
    sandbox_campaign.print_figures(campaign)

    report = report_render.run()
    verdict = "ok" if report["ok"] else "OVER TARGET"
    print(f"\nWeekly PDF report with {report['calls']:,} calls: median {report['median_seconds']:.2f} s "
          f"(target ≤ {report['target_seconds']:.0f} s)  {report['pdf_bytes']:,} bytes  {verdict}")

    voice = voice_plane.run()
    voice_plane.print_figures(voice)

    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"bench-{stamp}.json").write_text(json.dumps({"cold_import": imports, "warm": warm,
                                                                    "audience_ingest": audience,
                                                                    "dialer": dialing, "report": report,
                                                                    "voice_plane": voice,
                                                                    "sandbox_campaign": campaign,
                                                                    "package_sizes": packages}, indent=2))
    return 0


def _print_dialer(figures: dict) -> None:
    from bench.dialer import COST_PER_CALL_TARGET, RUN_10K_TARGET_SECONDS

    sandbox = figures["sandbox_run"]
    print(f"\nDialer: a {sandbox['targets']:,}-target sandbox run, {sandbox['concurrent_calls']} concurrent calls "
          f"({sandbox['run']['status']} in {sandbox['seconds']} s; {sandbox['mix']}):")
    print(f"  completed calls {sandbox['completed_calls']:,}; run counters {sandbox['run']}")
    print(f"  per completed call: {sandbox['per_completed_call']}")
    print(f"  dollars per completed call ({sandbox['prices_as_of']}):")
    for service, amount in sandbox["dollars_per_completed_call"].items():
        print(f"    {service:<16} ${amount:.7f}")
    total = sandbox["dollars_per_completed_call_total"]
    verdict = "ok" if total <= COST_PER_CALL_TARGET else "OVER"
    print(f"    {'total':<16} ${total:.6f}  (target ≤ ${COST_PER_CALL_TARGET})  {verdict}")
    large = figures["run_large_audience"]
    verdict = "ok" if large["max_s"] <= RUN_10K_TARGET_SECONDS else "OVER"
    print(f"  POST /workflows/{{id}}/run on {large['targets']:,} targets over HTTP: median {large['median_s']} s, "
          f"max {large['max_s']} s {large['seconds']}  {verdict}")


if __name__ == "__main__":
    raise SystemExit(main())
