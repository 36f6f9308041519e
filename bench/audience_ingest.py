"""Audience ingest of a generated 100,000-row CSV on moto: CPU rate, DynamoDB requests, peak memory.

The CSV mixes valid Indian and US numbers in several spellings, junk, repeated numbers and numbers on
the tenant's DNC list (and a few on the NCPR). Figures:
- CPU rate (warm container): rows per second of CPU time for `read_csv` (streamed) + `ingest_audience`, against raw
  `phonenumbers.parse` + `is_valid_number` of every row's number in the same run (target ≥ 0.7×).
  moto answers DynamoDB in this process, so the CPU it spends playing the server (which AWS spends, not
  the Lambda) is measured and reported apart; the client side (botocore serialisation) is counted.
- DynamoDB requests per 1,000 rows (target ≤ 45), counted at botocore's `_make_api_call`.
- Peak memory: peak RSS of the measuring process (interpreter, moto's tables, the generated file and
  the ingest; target ≤ 300 MB), read from the kernel's high-water mark of the process's own memory.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("BENCH_AUDIENCE_ROWS", 100_000))
TENANT, WORKFLOW = 7, "wf_bench"
SEED = 20260601


def _generate_csv(rng: random.Random) -> tuple[bytes, list[str]]:
    """The file, and the Indian numbers to put on the DNC list (2 % of the distinct ones)."""
    lines = ["Customer Name,Mobile,Email,Plan"]
    seen: list[str] = []
    dnc: list[str] = []
    for index in range(ROWS):
        roll = rng.random()
        if roll < 0.08:
            phone = rng.choice(["N/A", "12345", "+91 00000", "98765-4321", "", "call me", "0"])
        elif roll < 0.18 and seen:
            phone = rng.choice(seen)
        elif roll < 0.63:
            digits = f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
            phone = rng.choice([f"+91 {digits[:5]} {digits[5:]}", f"0{digits}", f"0091{digits}", digits,
                                f"91-{digits[:5]}-{digits[5:]}"])
            seen.append(phone)
            if rng.random() < 0.02:
                dnc.append(f"+91{digits}")
        else:
            area = rng.choice(["212", "415", "310", "646", "917", "512", "206"])
            line = f"{rng.randrange(200, 999)}{rng.randrange(10**4):04d}"
            phone = rng.choice([f"+1 ({area}) {line[:3]}-{line[3:]}", f"+1{area}{line}", f"+1 {area} {line}"])
            seen.append(phone)
        lines.append(f"Customer {index},{phone},c{index}@example.com,{rng.choice(['gold', 'silver', 'bronze'])}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode(), dnc


def _raw_phonenumbers_seconds(phones: list[str | None]) -> float:
    import phonenumbers

    started = time.process_time()
    for raw in phones:
        try:  # noqa: SIM105 — the bare loop is the baseline; contextlib.suppress would slow it
            phonenumbers.is_valid_number(phonenumbers.parse(raw or "", "IN"))
        except phonenumbers.NumberParseException:
            pass
    return time.process_time() - started


class _Meters:
    """DynamoDB calls at botocore's `_make_api_call`, and CPU spent inside moto's request handling."""

    def __enter__(self) -> _Meters:
        import botocore.client
        from moto.core.botocore_stubber import BotocoreStubber

        self.calls: Counter = Counter()
        self.moto_cpu = 0.0
        self._api_call, self._stub = botocore.client.BaseClient._make_api_call, BotocoreStubber.__call__
        meters, api_call, stub = self, self._api_call, self._stub

        def counting(client: Any, operation: str, params: Any) -> Any:
            meters.calls[operation] += 1
            return api_call(client, operation, params)

        def timed_stub(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return stub(stubber, event_name, request, **kwargs)
            finally:
                meters.moto_cpu += time.process_time() - started

        botocore.client.BaseClient._make_api_call = counting
        BotocoreStubber.__call__ = timed_stub
        return self

    def __exit__(self, *exc_info: Any) -> None:
        import botocore.client
        from moto.core.botocore_stubber import BotocoreStubber

        botocore.client.BaseClient._make_api_call = self._api_call
        BotocoreStubber.__call__ = self._stub


def _peak_rss_kb() -> int:
    """This process's peak resident memory: the kernel's high-water mark of its own address space (VmHWM).

    Not `getrusage(...).ru_maxrss`: on Linux that keeps the high-water mark across fork + exec, so a child
    started by `make bench` (whose parent already holds the warm-request section's stack) would report
    the parent's peak, not its own — that is where a "404 MB" ingest came from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):  # not Linux: the rusage figure (kB there too, on Linux; bytes on macOS)
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run() -> dict[str, Any]:
    """The measurement in a fresh interpreter, so its peak memory is its own (not the other sections')."""
    script = "import json; from bench.audience_ingest import measure; print(json.dumps(measure()))"
    env = {**os.environ, "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env,
                            cwd=Path(__file__).resolve().parents[1]).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure() -> dict[str, Any]:
    from infra_local.aws import start_moto
    from infra_local.environment import prepare_environment

    previous_table = os.environ.get("TABLE_NAME")
    os.environ["PORT"] = "0"
    prepare_environment()
    os.environ["TABLE_NAME"] = "callfunnel-bench-audience"  # never collides with another section's table
    from shared.platform.aws import reset_clients
    from shared.platform.settings import reset_settings
    from shared.platform.storage.table import create_table, reset_connections

    reset_settings()
    reset_clients()
    reset_connections()
    mock = start_moto()
    try:
        create_table()
        from shared.audience.service import ingest_audience
        from shared.audience.uploads import read_csv
        from shared.compliance import ncpr_repository
        from shared.compliance import repository as dnc_repository
        from shared.compliance.models import DncEntry
        from shared.platform import clock

        data, dnc = _generate_csv(random.Random(SEED))
        now = clock.now_seconds()
        dnc_repository.add_entries(TENANT, [DncEntry(id=f"dnc_{index}", phone_e164=e164, reason="bench", added_at=now)
                                            for index, e164 in enumerate(dnc[::2])], [])
        ncpr_repository.register([(e164, None) for e164 in dnc[1::2]], now)
        phones = [row.phone for row in read_csv(data)]
        # A warm container: a small upload first, so botocore's clients and service models are loaded
        # (once per Lambda container, not per upload) before the measured one.
        ingest_audience(TENANT, "wf_warmup", "IN", read_csv(data[:20_000]))
        before = _raw_phonenumbers_seconds(phones)

        with _Meters() as meters:
            started = time.process_time()
            result = ingest_audience(TENANT, WORKFLOW, "IN", read_csv(data))
            cpu_seconds = time.process_time() - started
        # The baseline before and after the ingest, averaged: a busy machine drifts during the run.
        raw_seconds = (before + _raw_phonenumbers_seconds(phones)) / 2
        own_cpu = cpu_seconds - meters.moto_cpu
        raw_rate, rate = ROWS / raw_seconds, ROWS / own_cpu
        requests = sum(meters.calls.values())
        return {
            "rows": ROWS, "result": result.model_dump(),
            "raw_phonenumbers_rows_per_s": round(raw_rate), "ingest_rows_per_cpu_s": round(rate),
            "ratio": round(rate / raw_rate, 2),
            "ingest_rows_per_cpu_s_including_moto": round(ROWS / cpu_seconds),
            "moto_cpu_s": round(meters.moto_cpu, 2),
            "dynamodb_requests": dict(meters.calls), "requests_per_1000_rows": round(requests * 1000 / ROWS, 1),
            "peak_rss_mb": round(_peak_rss_kb() / 1024, 1),
        }
    finally:
        mock.stop()
        if previous_table is None:
            os.environ.pop("TABLE_NAME", None)
        else:
            os.environ["TABLE_NAME"] = previous_table
        reset_settings()
        reset_clients()
        reset_connections()
