"""A sandbox campaign through the streaming path (issue 12): 100 targets on `python -m infra_local`, every call on
the sandbox carrier a real-time Media Stream to the voice plane (the production transport, serializer, VAD, turn
detection and recording; stand-ins for Deepgram, Claude and Cartesia).

The stack runs as `make run` runs it, in its own process on free ports. A test workflow (never billed) gets
BENCH_CAMPAIGN_TARGETS numbers (100) whose last digits cycle over 0-9 — no answer, busy, answering machine, opt-out,
a discount above the auto-approve limit (approved here as soon as it is asked), an objection, not interested, a
callback, yes, "tell me more" then a barge-in — at the tenant's concurrent-call limit (BENCH_CAMPAIGN_CONCURRENCY,
10). Timed from `POST /workflows/{id}/run` until the run is no longer running. Then every call is read back through
the calls API: each call a person answered (connected; an answering machine's voicemail is no conversation and is
not recorded) must have its transcript (agent and contact lines), latency figures and a recording behind
`GET /api/calls/{id}/recording`. Printed: how long the run took, the calls by status and outcome, and the
voice-to-voice latency the voice plane measured (end of the callee's speech → first agent audio sent): the p50 and
p95 of the connected calls' own p50s, and the worst call's p95.

    .venv/bin/python -m bench.sandbox_campaign        (also part of `make bench`)
"""

from __future__ import annotations

import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGETS = int(os.environ.get("BENCH_CAMPAIGN_TARGETS", 100))
CONCURRENCY = int(os.environ.get("BENCH_CAMPAIGN_CONCURRENCY", 10))
PROMPT = "Renewal reminders for our US customers, 9am-8pm Eastern time, offer up to 20% off, auto-approve 10%"
CALLABLE_MOMENT = "2026-12-02T15:00:00-05:00"
#: Calls take real seconds (audio is real time): ~20 s a conversation, CONCURRENCY at once, retries in between.
RUN_DEADLINE_SECONDS = max(600, TARGETS * 30 // max(1, CONCURRENCY) * 3)
STARTUP_TIMEOUT_SECONDS = 60
PASSWORD = "correct horse battery staple"
STACK_ENVIRONMENT = {"DIALER_WAIT_SCALE": "0.001", "DEFAULT_CONCURRENT_CALLS": str(CONCURRENCY),
                     "SANDBOX_PROVIDER_VALIDATION": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}


def _progress(message: str) -> None:
    print(f"[bench campaign] {message}", file=sys.stderr, flush=True)


def _free_port(other_than: int | None = None) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != other_than:
            return port


class _Stack:
    """`python -m infra_local` in its own process, its output in a file (shown when something goes wrong)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.voice_plane_port = _free_port(other_than=self.port)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.output = Path(tempfile.mkstemp(prefix="bench-campaign-", suffix=".log")[1])
        environment = {**os.environ, **STACK_ENVIRONMENT, "PORT": str(self.port),
                       "VOICE_PLANE_PORT": str(self.voice_plane_port), "PYTHONUNBUFFERED": "1"}
        with self.output.open("wb") as output:
            self.process = subprocess.Popen([sys.executable, "-m", "infra_local"], cwd=REPO_ROOT, env=environment,
                                            stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the local stack did not start: {self.output.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _phones(count: int) -> list[str]:
    return [f"+1415{5550000 + index:07d}" for index in range(count)]  # the last digit cycles over 0-9


def _get(http: requests.Session, url: str, **options: Any) -> requests.Response:
    """A GET that waits out the tenant's rate limit (10 requests/s) instead of counting its 429 as an answer."""
    while True:
        response = http.get(url, **options)
        if response.status_code != 429:
            return response
        time.sleep(float(response.headers.get("Retry-After") or 1))


def _check(response: requests.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def _campaign(http: requests.Session, base: str) -> dict[str, Any]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    _check(http.post(f"{base}/auth/signup", json={"email": email, "password": PASSWORD, "country": "US"}), 201)
    token = _check(http.post(f"{base}/auth/login", json={"email": email, "password": PASSWORD}))["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    workflow = _check(http.post(f"{base}/api/workflows", json={"nl_prompt": PROMPT, "is_test": True}), 201)
    phones = _phones(TARGETS)
    uploaded = _check(http.post(f"{base}/api/workflows/{workflow['id']}/audience",
                                json={"rows": [{"phone": phone} for phone in phones]}))
    assert uploaded["accepted"] == TARGETS, uploaded
    _check(http.put(f"{base}/api/workflows/{workflow['id']}/compliance",
                    json={"consent_attestation_text": "Every contact opted in on our web form"}))
    _check(http.post(f"{base}/_sandbox/clock", json={"now": CALLABLE_MOMENT}))
    started = time.monotonic()
    _check(http.post(f"{base}/api/workflows/{workflow['id']}/run"), 201)
    run = _run_to_the_end(http, base, workflow["id"])
    seconds = time.monotonic() - started
    return {"workflow_id": workflow["id"], "run": run, "seconds": seconds}


def _run_to_the_end(http: requests.Session, base: str, workflow_id: str) -> dict[str, Any]:
    """Poll the run, approving each concession a callee holds for (as a human watching Slack would)."""
    deadline, reported = time.monotonic() + RUN_DEADLINE_SECONDS, 0.0
    while time.monotonic() < deadline:
        for approval in _check(http.get(f"{base}/api/approvals", params={"status": "pending"}))["approvals"]:
            if approval["proposed_action"] == "concession":
                http.post(f"{base}/api/approvals/{approval['id']}/decide", json={"decision": "approve"})
        run = _check(http.get(f"{base}/api/workflows/{workflow_id}/runs"))["runs"][0]
        if run["status"] != "running":
            return run
        if time.monotonic() - reported > 30:
            reported = time.monotonic()
            _progress(f"{run['targets_finished']}/{run['targets_total']} targets finished, "
                      f"{run['calls_placed']} calls placed")
        time.sleep(1)
    raise RuntimeError(f"the run did not finish within {RUN_DEADLINE_SECONDS} s")


def _calls(http: requests.Session, base: str, workflow_id: str) -> list[dict[str, Any]]:
    calls, cursor = [], None
    while True:
        page = _check(_get(http, f"{base}/api/calls", params={"workflow_id": workflow_id, "limit": 200,
                                                               **({"cursor": cursor} if cursor else {})}))
        calls += page["calls"]
        cursor = page["next_cursor"]
        if cursor is None:
            return calls


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


def run() -> dict[str, Any]:
    _progress(f"{TARGETS} targets, {CONCURRENCY} concurrent calls: starting the local stack")
    stack = _Stack()
    try:
        with requests.Session() as http:
            campaign = _campaign(http, stack.base_url)
            _progress(f"run {campaign['run']['status']} in {campaign['seconds']:.0f} s; reading the calls back")
            calls = _calls(http, stack.base_url, campaign["workflow_id"])
            answered = [call for call in calls if call["status"] == "completed"]
            details = [_check(_get(http, f"{stack.base_url}/api/calls/{call['id']}")) for call in answered]
            # Connected: a person picked up (an answering machine's voicemail is no conversation, and no recording).
            connected = [detail for detail in details if detail["outcome"] != "voicemail"]
            recordings = [_get(http, f"{stack.base_url}/api/calls/{detail['id']}/recording", allow_redirects=False)
                          for detail in connected]
    finally:
        stack.stop()
    complete = [detail for detail, recording in zip(connected, recordings, strict=True)
                if {line["speaker"] for line in detail["transcript"]} == {"agent", "contact"}
                and detail["latency"] and detail["latency"]["turns"] and detail["recording"]
                and recording.status_code == 302]
    incomplete = [{"to": detail["to"], "outcome": detail["outcome"], "speakers": sorted(
        {line["speaker"] for line in detail["transcript"]}), "latency": detail["latency"],
        "has_recording": detail["has_recording"]} for detail in connected if detail not in complete]
    voicemails = [detail for detail in details if detail["outcome"] == "voicemail"]
    per_call_p50 = [detail["latency"]["p50_ms"] for detail in connected if detail["latency"]]
    durations = [detail["duration_seconds"] for detail in details if detail["duration_seconds"] is not None]
    return {
        "targets": TARGETS, "concurrent_calls": CONCURRENCY, "run_status": campaign["run"]["status"],
        "seconds": round(campaign["seconds"], 1), "calls_placed": len(calls),
        "calls_by_status": dict(Counter(call["status"] for call in calls)),
        "outcomes_of_answered_calls": dict(Counter(detail["outcome"] for detail in details)),
        "connected_calls": len(connected), "complete_calls": len(complete), "incomplete_calls": incomplete,
        "voicemails": len(voicemails),
        "voicemails_greeting_heard": sum(any(line["speaker"] == "contact" for line in detail["transcript"])
                                         for detail in voicemails),
        "latency_p50_ms_by_outcome": {outcome: _percentile([detail["latency"]["p50_ms"] for detail in connected
                                                            if detail["outcome"] == outcome and detail["latency"]], 0.5)
                                      for outcome in sorted({detail["outcome"] for detail in connected})},
        "turns_measured": sum(detail["latency"]["turns"] for detail in connected if detail["latency"]),
        "latency_per_call_p50_ms": {"p50": _percentile(per_call_p50, 0.5), "p95": _percentile(per_call_p50, 0.95)},
        "latency_per_call_p95_ms_max": max((detail["latency"]["p95_ms"] for detail in connected if detail["latency"]),
                                           default=None),
        "call_seconds": {"p50": statistics.median(durations) if durations else None,
                         "max": max(durations, default=None)},
        "ok": campaign["run"]["status"] == "completed" and len(complete) == len(connected) > 0,
    }


def print_figures(figures: dict[str, Any]) -> None:
    verdict = "ok" if figures["ok"] else "INCOMPLETE"
    print(f"\nSandbox campaign through the voice plane: {figures['targets']} targets, {figures['concurrent_calls']} "
          f"concurrent calls, run {figures['run_status']} in {figures['seconds']} s  {verdict}")
    print(f"  calls placed {figures['calls_placed']} {figures['calls_by_status']}")
    print(f"  answered {figures['calls_by_status'].get('completed', 0)} {figures['outcomes_of_answered_calls']}; "
          f"a person on {figures['connected_calls']}, with transcript + latency + recording "
          f"{figures['complete_calls']}; voicemails {figures['voicemails']} (the machine's greeting heard in "
          f"{figures['voicemails_greeting_heard']})")
    for call in figures["incomplete_calls"][:10]:
        print(f"    incomplete: {call}")
    latency = figures["latency_per_call_p50_ms"]
    print(f"  voice-to-voice (the voice plane's measure) over {figures['turns_measured']} turns: each call's p50 — "
          f"p50 {latency['p50']} ms, p95 {latency['p95']} ms; the worst call's p95 "
          f"{figures['latency_per_call_p95_ms_max']} ms")
    print(f"  each call's p50 by outcome (a held call's turns include the wait for its approval): "
          f"{figures['latency_p50_ms_by_outcome']}")
    print(f"  call length: median {figures['call_seconds']['p50']} s, longest {figures['call_seconds']['max']} s")


def main() -> int:
    figures = run()
    print_figures(figures)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
