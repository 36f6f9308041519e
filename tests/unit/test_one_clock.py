"""Every timestamp the stack writes comes from the one clock (`shared/platform/clock.py`).

A direct read of the wall clock elsewhere escapes `/_sandbox/clock` and `clock.freeze`: the ledger or the
carrier's `placed_at` would stay on today while calls move to the campaign's window. Monotonic timers
(`time.monotonic`, `time.perf_counter`) measure durations and stay allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("shared", "functions", "infra_local", "ops")
WALL_CLOCK = re.compile(r"\b(?:datetime\.(?:now|utcnow|today)|date\.today|time\.time(?:_ns)?)\(")

# Each file that may read the wall clock itself, and why.
ALLOWED = {
    "shared/platform/clock.py": "the one clock: real time plus the sandbox's offset",
    "shared/platform/rate_limits.py": "buckets refill with the real passage of time between requests; a jump of "
                                      "the sandbox clock would refill them at once or lock a tenant out for days",
    "shared/auth/abuse_limits.py": "login lockouts and per-IP windows run in real time: attackers keep arriving in "
                                   "real time whatever the sandbox clock says",
    "shared/webhooks/signing.py": "a webhook-timestamp is checked by the tenant's receiver against its own real clock "
                                  "(5 minutes' tolerance), whatever the sandbox clock says",
}


def wall_clock_reads() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            lines = [f"{number}: {line.strip()}" for number, line in
                     enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if WALL_CLOCK.search(line)]
            if lines:
                found[relative] = lines
    return found


def test_no_code_reads_the_wall_clock_outside_the_clock_module():
    outside = {path: lines for path, lines in wall_clock_reads().items() if path not in ALLOWED}

    assert outside == {}, "read shared.platform.clock instead (or add the file to ALLOWED, with the reason)"


def test_the_guard_sees_every_form_of_a_wall_clock_read():
    for line in ("datetime.now(UTC)", "datetime.utcnow()", "date.today()", "time.time()", "time.time_ns()",
                 "datetime.today()"):
        assert WALL_CLOCK.search(line), line
    assert not WALL_CLOCK.search("time.monotonic()") and not WALL_CLOCK.search("clock.now()")

