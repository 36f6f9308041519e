"""The console's figures (`make bench`, `make bench-console`): the first page's JavaScript gzipped, the overview's first
meaningful paint on the local stack, and a live run view of 1,000 calls (requests per poll interval, render time).

Measured in the distribution's Chromium through Playwright, against `python -m infra_local` serving console/dist.
The 1,000-call run is served to the page by Playwright's request interception (the same JSON the calls API answers),
so the figure is the console's own and needs no 1,000-call campaign on the laptop.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
DIST = REPO_ROOT / "console" / "dist"
FIRST_PAGE_JS_TARGET_KB = 150
OVERVIEW_PAINT_TARGET_MS = 1000
RUN_CALLS = 1000
CALLS_PAGE = 100
POLL_WINDOW_SECONDS = 10
#: A poll tick fetches the run's counters and the newest page of calls: 2 requests per interval, whatever the size.
REQUESTS_PER_POLL_TARGET = 2
LONGEST_TASK_TARGET_MS = 200
PAINT_SAMPLES = 5


def first_page_js(dist: Path = DIST) -> dict:
    """The JavaScript index.html loads before anything else (the entry and its static imports), gzipped."""
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text())
    entry_key = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    files, pending = [], [entry_key]
    while pending:
        chunk = manifest[pending.pop()]
        if chunk["file"] not in files:
            files.append(chunk["file"])
            pending.extend(chunk.get("imports", []))
    raw = sum((dist / name).stat().st_size for name in files)
    zipped = sum(len(gzip.compress((dist / name).read_bytes(), compresslevel=9)) for name in files)
    return {"files": files, "raw_kb": round(raw / 1024, 1), "gzip_kb": round(zipped / 1024, 1),
            "target_kb": FIRST_PAGE_JS_TARGET_KB, "ok": zipped / 1024 <= FIRST_PAGE_JS_TARGET_KB}


@contextmanager
def local_stack() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "infra_local"], cwd=REPO_ROOT,
                               env={**os.environ, "PORT": str(port)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base_url}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the local stack did not start")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _log_in(page, base_url: str) -> None:
    email, password = f"bench-{uuid.uuid4().hex[:10]}@example.com", "a long bench password"
    page.goto(f"{base_url}/")
    page.evaluate("""async ([email, password]) => {
        const json = {'Content-Type': 'application/json'};
        await fetch('/auth/signup', {method: 'POST', headers: json, body: JSON.stringify({email, password})});
        await fetch('/auth/login', {method: 'POST', headers: json, body: JSON.stringify({email, password})});
    }""", [email, password])


def _wait_until(page, expression: str, timeout_s: float = 30) -> None:
    """Poll `expression` through the DevTools protocol (page.wait_for_function evaluates strings in the page, which
    the console's CSP — no 'unsafe-eval' — refuses)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.005)


def overview_paint(browser, base_url: str) -> dict:
    """Median over fresh loads of `/#/` (logged in): navigation start → the wallet painted (`overview-painted`)."""
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, base_url)
    paints, contentful = [], []
    for _ in range(PAINT_SAMPLES + 1):  # the first load warms the stack's functions (a cold start is not the console)
        fresh = context.new_page()
        fresh.goto(f"{base_url}/#/")
        _wait_until(fresh, "performance.getEntriesByName('overview-painted').length > 0")
        paints.append(fresh.evaluate("performance.getEntriesByName('overview-painted')[0].startTime"))
        contentful.append(fresh.evaluate(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: 0}).startTime"))
        fresh.close()
    context.close()
    median = statistics.median(paints[1:])
    return {"median_ms": round(median), "samples_ms": [round(value) for value in paints[1:]],
            "first_contentful_paint_ms": round(statistics.median(contentful[1:])),
            "target_ms": OVERVIEW_PAINT_TARGET_MS, "ok": median <= OVERVIEW_PAINT_TARGET_MS}


def _synthetic_run(workflow_id: str, run_id: str) -> tuple[dict, dict, list[dict]]:
    started = datetime.now(UTC) - timedelta(minutes=30)
    calls = [{"id": f"call_{index:05d}", "workflow_id": workflow_id, "run_id": run_id, "to": f"+1415555{index:04d}",
              "from": "+14155550000", "status": "completed",
              "outcome": ("converted", "not_interested", "voicemail")[index % 3],
              "started_at": (started + timedelta(seconds=index)).isoformat().replace("+00:00", "Z"),
              "answered_at": None, "ended_at": None, "duration_seconds": 42, "cost_minor": 12, "currency": "USD",
              "has_recording": index % 2 == 0} for index in range(RUN_CALLS)][::-1]
    workflow = {"id": workflow_id, "name": "Bench campaign", "status": "live", "persona": "amelia",
                "schedule_kind": "manual", "is_test": True, "updated_at": started.isoformat(),
                "created_at": started.isoformat(),
                "nl_prompt": "", "rule_book": {}, "audience_count": RUN_CALLS, "runs_count": 1, "compliance": {},
                "archived_at": None}
    counters = {name: 0 for name in ("targets_queued", "targets_connected", "targets_converted", "targets_finished",
                                     "calls_placed", "opted_out", "not_interested", "callbacks_requested", "voicemails",
                                     "busy", "no_answer", "failed_calls", "skipped_dnc", "skipped_cooldown",
                                     "skipped_no_window", "skipped_no_funds", "approvals_pending",
                                     "concessions_decided", "minutes_billed", "cost_minor")}
    run = {"id": run_id, "workflow_id": workflow_id, "status": "running", "is_test": True,
           "started_at": started.isoformat(), "ended_at": None, "targets_total": RUN_CALLS + 200,
           "targets_dialed": RUN_CALLS, **counters, "currency": "USD"}
    return workflow, run, calls


def live_run_of_1000_calls(browser, base_url: str) -> dict:
    workflow_id, run_id = "wf_bench", "run_bench"
    workflow, run, calls = _synthetic_run(workflow_id, run_id)
    requests_seen: list[tuple[float, str]] = []

    def answer(route) -> None:
        url = route.request.url
        requests_seen.append((time.monotonic(), url))
        if "/runs" in url:
            body = {"runs": [run]}
        elif "/api/calls" in url:
            cursor = int((url.split("cursor=")[1].split("&")[0]) if "cursor=" in url else 0)
            page_of = calls[cursor:cursor + CALLS_PAGE]
            next_cursor = str(cursor + CALLS_PAGE) if cursor + CALLS_PAGE < len(calls) else None
            body = {"calls": page_of, "next_cursor": next_cursor}
        else:
            body = workflow
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    context = browser.new_context()
    page = context.new_page()
    _log_in(page, base_url)
    page.route(re.compile(rf"/api/workflows/{workflow_id}(/|$|\?)"), answer)
    page.route(re.compile(r"/api/calls\?"), answer)
    page.on("pageerror", lambda error: print(f"  page error: {error}", file=sys.stderr))
    page.goto("about:blank")  # a fresh load of the console, now with the session cookie
    page.goto(f"{base_url}/#/campaigns/{workflow_id}/runs/{run_id}")
    page.get_by_test_id("calls").wait_for()
    # Every page of the run on screen: "Show more calls" until the cursor runs out, timing each render.
    renders = []
    while page.get_by_role("button", name="Show more calls").count():
        shown = page.locator("[data-testid=calls] tbody tr").count()
        started = time.perf_counter()
        page.get_by_role("button", name="Show more calls").click()
        _wait_until(page, f"document.querySelectorAll('[data-testid=calls] tbody tr').length > {shown}")
        renders.append((time.perf_counter() - started) * 1000)
    rows = page.locator("[data-testid=calls] tbody tr").count()
    # Then the live view with all 1,000 rows: requests per poll interval, and the main thread's longest task.
    page.evaluate("""() => { window.__longTasks = [];
        new PerformanceObserver(list => window.__longTasks.push(...list.getEntries().map(e => e.duration)))
            .observe({type: 'longtask', buffered: false}); }""")
    window_start = time.monotonic()
    page.wait_for_timeout(POLL_WINDOW_SECONDS * 1000)
    in_window = [url for at, url in requests_seen if at >= window_start]
    long_tasks = page.evaluate("window.__longTasks")
    poll_tick_ms = page.evaluate("""async () => {
        const started = performance.now();
        await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve)));
        return performance.now() - started; }""")
    context.close()
    from_console = 2000  # POLL_MS in console/src/pages/LiveRun.tsx
    intervals = POLL_WINDOW_SECONDS * 1000 / from_console
    per_interval = len(in_window) / intervals
    longest = max(long_tasks, default=0)
    return {"rows_shown": rows, "requests_in_window": len(in_window), "window_seconds": POLL_WINDOW_SECONDS,
            "requests_per_poll_interval": round(per_interval, 2), "requests_target": REQUESTS_PER_POLL_TARGET,
            "show_more_render_ms_median": round(statistics.median(renders)) if renders else None,
            "show_more_render_ms_max": round(max(renders)) if renders else None,
            "longest_task_ms": round(longest), "long_tasks": len(long_tasks), "frame_ms": round(poll_tick_ms, 1),
            "longest_task_target_ms": LONGEST_TASK_TARGET_MS,
            "ok": rows == RUN_CALLS and per_interval <= REQUESTS_PER_POLL_TARGET and longest <= LONGEST_TASK_TARGET_MS}


def run() -> dict:
    from playwright.sync_api import sync_playwright

    figures = {"first_page_js": first_page_js()}
    with local_stack() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        figures["overview_paint"] = overview_paint(browser, base_url)
        figures["live_run_1000_calls"] = live_run_of_1000_calls(browser, base_url)
        browser.close()
    return figures


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main() -> int:
    figures = run()
    js, paint, live = figures["first_page_js"], figures["overview_paint"], figures["live_run_1000_calls"]
    print("Console (Chromium against the local stack):")
    print(f"  first page's JavaScript      {js['gzip_kb']:>7.1f} KB gzipped ({js['raw_kb']} KB raw, "
          f"{len(js['files'])} file)  target ≤ {js['target_kb']} KB  {verdict(js['ok'])}")
    print(f"  overview's meaningful paint  {paint['median_ms']:>7} ms median of {PAINT_SAMPLES} (first contentful "
          f"paint {paint['first_contentful_paint_ms']} ms; {paint['samples_ms']})  target ≤ {paint['target_ms']} ms  "
          f"{verdict(paint['ok'])}")
    print(f"  live run of {live['rows_shown']:,} calls: {live['requests_per_poll_interval']} requests per 2 s poll "
          f"({live['requests_in_window']} in {live['window_seconds']} s)  target ≤ {live['requests_target']};  "
          f"'show more' renders median {live['show_more_render_ms_median']} ms, "
          f"max {live['show_more_render_ms_max']} ms; "
          f"longest main-thread task while polling {live['longest_task_ms']} ms ({live['long_tasks']} over 50 ms)  "
          f"target ≤ {live['longest_task_target_ms']} ms  {verdict(live['ok'])}")
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"console-{stamp}.json").write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
