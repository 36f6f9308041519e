"""The dialer's figures (issue 5, point 9): AWS cost per completed call, `run` on 10,000 targets.

Everything runs offline in one fresh interpreter (like bench/audience_ingest.py): the full local stack
in-process — moto, bootstrap, the API server on a free port (the sandbox carrier's webhooks need a real
port, so PORT is picked here, not 0), the queue pollers and the Step Functions → Lambda dispatch, as
infra_local/__main__.py assembles them. The schedule ticker is left out: the bench's workflows are one-off
("manual") and its polls would only add noise to the counts.

1. **A sandbox run** (1,000 targets with BENCH_DIALER_TARGETS=1000; 50 by default, see below), every answered
   call streamed to the voice plane served in this process (its sandbox stand-ins, as on `make run`),
   billed (not a test workflow, so billing writes are counted; the wallet is credited through
   `shared.billing.ledger.credit_wallet` first, since the trial cannot pay for so many calls).
   Numbers `+1415555NNNN` whose last digit cycles over 3, 5, 6, 8, 9 (opt-out, objection then yes, not
   interested, yes, "tell me more" then yes): every call is answered by a person and ends without a human
   deciding anything. Carrier rings and pauses take 0 s, the conversation real time; dialer waits are scaled
   by 0.0001 (a wait is still ≥ 1 s: the carrier's pace of 10 dials/s makes steps that lose the slot wait 1 s,
   as on AWS);
   10 concurrent calls by default (BENCH_DIALER_CONCURRENCY; 50 overloads the one in-process runtime).
   moto's whole-table copy before each TransactWriteItems is replaced by a copy of the touched items
   (`cheaper_transaction_snapshots`), or the run slows quadratically.
   Counted from `POST /workflows/{id}/run` until the run is no longer running:
   - Lambda invocations per function and their wall time (the handler only, inside the runtime's lock). It
     includes moto answering in this process, so the billed duration is estimated as wall time − moto's
     server-side time + AWS_REQUEST_LATENCY_S per AWS request → GB-s at each function's catalog `memory_mb`
     (GB-s at the raw wall time are reported too);
   - API Gateway requests: HTTP requests that reached a catalog function (the carrier's webhooks, plus the
     one `POST run`); the bench's own polling of `GET /workflows/{id}/runs` is run in-process and excluded;
   - Step Functions state transitions, computed from the definition's shape since moto does not expose the
     history of Distributed Map children: AWS bills one transition per state entered, so each `dialer_dial`
     invocation is 3 (Dial, NextStep, then WaitBeforeDial or TargetDone) and the parent adds 4
     (PrepareManifest, HasTargets, CallTargets, FinishRun);
   - DynamoDB requests by operation (botocore's `_make_api_call`, which pynamodb uses too), with capacity
     estimated from sizes (DynamoDB's item-size rules on the typed attributes): a write is ceil(KB) of the
     item (PutItem) or of the key + update parameters (UpdateItem; AWS bills the larger of the item before and
     after, so a growing item costs more) per item, doubled in a transaction; a read is ceil(size / 4 KB) of
     the items returned, × 0.5 when eventually consistent, × 2 in a transaction; a miss costs 1 (0.5);
   - SQS requests: sends, receives that returned messages, deletes (the event source mapping's); empty
     long-poll receives are reported apart and not priced per call (their number depends on time, not load);
   - S3 requests (PUT class, GET class); SES: none expected (any other service is listed as seen).
   Dollars at us-east-1 list prices per completed call (calls whose final carrier status is `completed`:
   placed − busy − no answer − failed). Target ≤ $0.0005.
2. **`POST /workflows/{id}/run` on 10,000 targets** over HTTP: 3 workflows with the same 10,000-number
   audience (uploaded as one JSON rows request each, attested), each timed once; median and max. The clock
   is at 03:00 in New York and the dialer's waits back at real scale, so the executions only wait; each
   timing starts once the previous execution's preparation has settled. Target ≤ 3 s.
(The Gather path's third figure, one conversation turn through the `gather` webhook, went with that path in
issue 12: a turn now happens in the voice plane, whose voice-to-voice figures `make bench` reports apart.)
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.aws_meters import S3_GET_CLASS, Meters, cheaper_transaction_snapshots, excluded

PRICES_AS_OF = "us-east-1 list prices as of 2026-11-29 (the brief's figures, not re-checked online)"
LAMBDA_PER_REQUEST = 0.20 / 1e6
LAMBDA_PER_GB_SECOND = 0.0000166667  # x86
HTTP_API_PER_REQUEST = 1.00 / 1e6
STATE_TRANSITION = 0.025 / 1000  # Standard workflows
DYNAMODB_PER_WRU = 0.625 / 1e6  # on-demand
DYNAMODB_PER_RRU = 0.125 / 1e6
SQS_PER_REQUEST = 0.40 / 1e6
S3_PER_PUT = 0.005 / 1000
S3_PER_GET = 0.0004 / 1000
#: Assumed round trip of one AWS API call from a Lambda in the same region (moto answers in-process instead).
AWS_REQUEST_LATENCY_S = 0.005
COST_PER_CALL_TARGET = 0.0005
RUN_10K_TARGET_SECONDS = 3.0

#: Every answered call is a real-time conversation in the voice plane (~20-30 s), so the brief's 1,000 targets would
#: take most of an hour; the per-call figures do not depend on the run's size, so `make bench` runs 50 unless
#: BENCH_DIALER_TARGETS says otherwise.
SANDBOX_TARGETS = int(os.environ.get("BENCH_DIALER_TARGETS", 50))
#: 50 concurrent calls (the brief) saturate the single in-process runtime: webhooks wait > 12 s for it, get 503,
#: and calls fail or never report their end (a local artifact: Lambda runs them concurrently). 10 keeps it clean.
CONCURRENT_CALLS = os.environ.get("BENCH_DIALER_CONCURRENCY", "10")
LARGE_AUDIENCE = int(os.environ.get("BENCH_DIALER_LARGE_AUDIENCE", 10_000))
DIGITS = "35689"
CALLABLE_MOMENT = "2026-12-02T15:00:00-05:00"
NIGHT_MOMENT = "2026-12-03T03:00:00-05:00"
PROMPT = "Renewal reminders for our US customers, 9am-8pm Eastern time, offer up to 20% off, auto-approve 10%"
#: ~1.4 targets/s on 2 cores (moto and the one in-process runtime are the bottleneck), with room to spare.
RUN_DEADLINE_SECONDS = max(420, int(SANDBOX_TARGETS * 1.5))
STACK_ENVIRONMENT = {"SANDBOX_CARRIER_RING_SECONDS": "0", "SANDBOX_CARRIER_PAUSE_SCALE": "0",
                     "DIALER_WAIT_SCALE": "0.0001",
                     "DEFAULT_CONCURRENT_CALLS": CONCURRENT_CALLS, "POWERTOOLS_LOG_LEVEL": "WARNING",
                     "POWERTOOLS_METRICS_DISABLED": "true"}


def _progress(message: str) -> None:
    print(f"[bench dialer] {message}", file=sys.stderr, flush=True)


# --- The stack, in this process ---


class _Stack:
    def __init__(self) -> None:
        port, voice_plane_port = _free_port(), _free_port()
        os.environ.update({**STACK_ENVIRONMENT, "PORT": str(port), "VOICE_PLANE_PORT": str(voice_plane_port)})
        from infra_local.environment import prepare_environment

        environment = prepare_environment()
        from infra_local.aws import bootstrap, start_moto
        from infra_local.moto_patches import serialize_requests
        from infra_local.queue_pollers import QueuePollers
        from infra_local.sandbox_callee_lines import CalleeLineRegistry
        from infra_local.sandbox_carrier import SandboxCarrier
        from infra_local.sandbox_media_stream import open_websocket
        from infra_local.server import LocalApiServer
        from infra_local.state_machines import install_lambda_dispatch
        from infra_local.voice_plane import LocalVoicePlane

        self.mock = start_moto()
        serialize_requests()  # the voice plane shares moto, as in `python -m infra_local`
        cheaper_transaction_snapshots()
        bootstrap()
        # Every answered call is a conversation in the voice plane (its sandbox stand-ins), as on `make run`: the
        # per-call figures include the voice plane's own AWS requests (the call record, transcript, recording).
        callee_lines = CalleeLineRegistry()
        self.voice_plane = LocalVoicePlane(environment.host, environment.voice_plane_port, callee_lines)

        def open_media_stream(url: str) -> Any:
            self.voice_plane.wait_until_ready()
            return open_websocket(url)

        carrier = SandboxCarrier(connect=open_media_stream, callee_lines=callee_lines)
        self.server = LocalApiServer(environment, access_log=False, carrier=carrier)
        self.voice_plane.bind()
        self.voice_plane.start()
        self.meters = Meters()
        self.meters.install(self.server.runtime)
        install_lambda_dispatch(self.server.runtime.invoke)
        threading.Thread(target=self.server.serve_forever, name="local-api", daemon=True).start()
        self.pollers = QueuePollers(self.server.runtime.invoke, region=environment.region,
                                    account_id=environment.account_id)
        self.pollers.start()
        self.port = port
        self.token = ""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"content-type": "application/json", **({"authorization": f"Bearer {self.token}"}
                                                           if self.token else {})}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        return response.status, json.loads(raw) if raw else None

    def invoke(self, method: str, path: str, *, headers: list[tuple[str, str]] | None = None,
               body: bytes = b"") -> Any:
        """The request without the socket: the API Gateway adapter and the runtime only."""
        from infra_local.http_adapter import HttpRequest, build_event, map_result, match_route

        headers = headers if headers is not None else [("authorization", f"Bearer {self.token}")]
        match = match_route(method, path, self.server.functions)
        event = build_event(HttpRequest(method=method, path=path, query_string="", headers=headers, body=body),
                            match, account_id=self.server.account_id)
        return map_result(self.server.runtime.invoke(match.function, event))

    def latest_run(self, workflow_id: str) -> dict[str, Any]:
        excluded.on = True
        try:
            return json.loads(self.invoke("GET", f"/workflows/{workflow_id}/runs").body)["runs"][0]
        finally:
            excluded.on = False

    def ready_workflow(self, phones: list[str]) -> str:
        status, workflow = self.call("POST", "/workflows", {"nl_prompt": PROMPT})
        assert status == 201, workflow
        rows = [{"phone": phone, "name": f"Customer {index}"} for index, phone in enumerate(phones)]
        status, uploaded = self.call("POST", f"/workflows/{workflow['id']}/audience", {"rows": rows})
        assert status == 200 and uploaded["accepted"] == len(phones), uploaded
        status, attested = self.call("PUT", f"/workflows/{workflow['id']}/compliance",
                                     {"consent_attestation_text": "Every contact opted in on our web form"})
        assert status == 200, attested
        return workflow["id"]

    def move_clock(self, moment: str) -> None:
        assert self.call("POST", "/_sandbox/clock", {"now": moment})[0] == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sandbox_phones(count: int) -> list[str]:
    """Distinct +1415555NNNN numbers whose last digit cycles over DIGITS (at most 5,000)."""
    return [f"+1415555{index // len(DIGITS):03d}{DIGITS[index % len(DIGITS)]}" for index in range(count)]


def _sign_up(stack: _Stack, label: str) -> int:
    """A fresh US tenant, logged in on the stack; returns its id."""
    import uuid

    stack.token = ""
    account = {"email": f"bench-{label}-{uuid.uuid4().hex[:8]}@example.com", "password": "benchmark password"}
    status, created = stack.call("POST", "/auth/signup", {**account, "country": "US"})
    assert status == 201, created
    status, session = stack.call("POST", "/auth/login", account)
    assert status == 200, session
    stack.token = session["token"]
    return int(session["tenant"]["id"])


# --- 1. A 1,000-target sandbox run, and what it costs ---


def sandbox_run(stack: _Stack) -> dict[str, Any]:
    from shared.billing.ledger import credit_wallet

    stack.move_clock(CALLABLE_MOMENT)
    tenant_id = _sign_up(stack, "sandbox")
    credit_wallet(tenant_id, 100_000, kind="topup", description="bench credit", external_event_id=None)
    phones = _sandbox_phones(SANDBOX_TARGETS)
    workflow_id = stack.ready_workflow(phones)
    _progress(f"sandbox run: {len(phones):,} targets uploaded; running")

    meters = stack.meters
    meters.active = True
    started = time.monotonic()
    status, answer = stack.call("POST", f"/workflows/{workflow_id}/run")
    assert status == 201, answer
    run = stack.latest_run(workflow_id)
    next_report = started + 15
    while run["status"] == "running" and time.monotonic() - started < RUN_DEADLINE_SECONDS:
        time.sleep(1.0)
        run = stack.latest_run(workflow_id)
        if time.monotonic() >= next_report:
            next_report += 15
            _progress(f"  {time.monotonic() - started:5.0f} s: {run['targets_finished']:,} of {len(phones):,} "
                      f"targets finished, {run['calls_placed']:,} calls placed")
    meters.active = False
    elapsed = time.monotonic() - started
    _progress(f"sandbox run {run['status']} in {elapsed:.0f} s")
    counters = {name: run[name] for name in ("status", "targets_total", "targets_finished", "targets_connected",
                                             "targets_converted", "opted_out", "not_interested", "calls_placed",
                                             "busy", "no_answer", "failed_calls", "voicemails", "minutes_billed")}
    completed = run["calls_placed"] - run["busy"] - run["no_answer"] - run["failed_calls"]
    return {"targets": len(phones), "concurrent_calls": int(CONCURRENT_CALLS), "mix": _mix(),
            "seconds": round(elapsed, 1), "run": counters,
            "completed_calls": completed, **_costs(meters, completed), "tenant_id": tenant_id,
            "workflow_id": workflow_id, "run_id": run["id"]}


def _mix() -> str:
    return ("last digits 3/5/6/8/9 in equal parts: opt-out, objection then yes, not interested, yes, "
            "'tell me more' then yes (every call answered by a person, no approval)")


def _costs(meters: Meters, completed: int) -> dict[str, Any]:
    from functions.catalog import by_name

    # Billed duration: the handler's wall time without moto's server side, plus an AWS round trip per request.
    duration = {name: max(0.0, seconds - meters.moto_seconds[name]) + meters.aws_requests[name] * AWS_REQUEST_LATENCY_S
                for name, seconds in meters.seconds.items()}
    gb_seconds = {name: seconds * by_name(name).memory_mb / 1024 for name, seconds in duration.items()}
    measured_gb_seconds = sum(seconds * by_name(name).memory_mb / 1024 for name, seconds in meters.seconds.items())
    invocations = sum(meters.invocations.values())
    transitions = 3 * meters.invocations["dialer_dial"] + 4
    dynamodb = {operation: count for (service, operation), count in meters.calls.items() if service == "dynamodb"}
    sqs = {operation: count for (service, operation), count in meters.calls.items() if service == "sqs"}
    s3 = {operation: count for (service, operation), count in meters.calls.items() if service == "s3"}
    other = {f"{service}:{operation}": count for (service, operation), count in meters.calls.items()
             if service not in ("dynamodb", "sqs", "s3")}
    s3_gets = sum(count for operation, count in s3.items() if operation in S3_GET_CLASS)
    dollars = {
        "lambda": invocations * LAMBDA_PER_REQUEST + sum(gb_seconds.values()) * LAMBDA_PER_GB_SECOND,
        "api_gateway": meters.api_requests * HTTP_API_PER_REQUEST,
        "step_functions": transitions * STATE_TRANSITION,
        "dynamodb": meters.wru * DYNAMODB_PER_WRU + meters.rru * DYNAMODB_PER_RRU,
        "sqs": sum(sqs.values()) * SQS_PER_REQUEST,
        "s3": s3_gets * S3_PER_GET + (sum(s3.values()) - s3_gets) * S3_PER_PUT,
    }
    per_call = max(1, completed)
    counts = {"lambda_invocations": dict(meters.invocations), "api_gateway_requests": meters.api_requests,
              "state_transitions": transitions, "dynamodb_requests": dynamodb,
              "dynamodb_wru": round(meters.wru, 1), "dynamodb_rru": round(meters.rru, 1), "sqs_requests": sqs,
              "sqs_messages_sent": meters.sqs_messages_sent, "sqs_empty_receives_not_priced": meters.sqs_empty_receives,
              "s3_requests": s3, "other_aws_requests": other}
    return {
        "prices_as_of": PRICES_AS_OF, "counts": counts,
        "lambda_wall_seconds_measured": {name: round(seconds, 2) for name, seconds in meters.seconds.items()},
        "lambda_moto_server_seconds": {name: round(seconds, 2) for name, seconds in meters.moto_seconds.items()},
        "lambda_thread_cpu_seconds": {name: round(seconds, 2) for name, seconds in meters.cpu_seconds.items()},
        "lambda_billed_seconds_estimate": {name: round(seconds, 2) for name, seconds in duration.items()},
        "lambda_gb_seconds": round(sum(gb_seconds.values()), 2),
        "lambda_gb_seconds_at_measured_wall": round(measured_gb_seconds, 2),
        "per_completed_call": {
            "lambda_invocations": round(invocations / per_call, 2),
            "lambda_gb_seconds": round(sum(gb_seconds.values()) / per_call, 4),
            "api_gateway_requests": round(meters.api_requests / per_call, 2),
            "state_transitions": round(transitions / per_call, 2),
            "dynamodb_requests": round(sum(dynamodb.values()) / per_call, 1),
            "dynamodb_wru": round(meters.wru / per_call, 1), "dynamodb_rru": round(meters.rru / per_call, 1),
            "sqs_requests": round(sum(sqs.values()) / per_call, 2),
            "s3_requests": round(sum(s3.values()) / per_call, 3),
        },
        "dollars_per_completed_call": {service: round(amount / per_call, 7) for service, amount in dollars.items()},
        "dollars_per_completed_call_total": round(sum(dollars.values()) / per_call, 6),
    }


# --- 2. `run` on 10,000 targets ---


def run_large_audience(stack: _Stack) -> dict[str, Any]:
    from shared.platform.settings import reset_settings

    # Night in New York, and real-scale waits: the executions prepare their manifest, then only wait.
    os.environ["DIALER_WAIT_SCALE"] = "1"
    reset_settings()
    stack.move_clock(NIGHT_MOMENT)
    _sign_up(stack, "large")
    phones = [f"+1415555{index:04d}" for index in range(LARGE_AUDIENCE)]
    workflow_ids = []
    for number in range(3):
        started = time.monotonic()
        workflow_ids.append(stack.ready_workflow(phones))
        _progress(f"run on {len(phones):,}: workflow {number + 1} ready in {time.monotonic() - started:.1f} s")
    timings = []
    for workflow_id in workflow_ids:
        stack.meters.wait_until_idle()
        started = time.perf_counter()
        status, answer = stack.call("POST", f"/workflows/{workflow_id}/run")
        timings.append(time.perf_counter() - started)
        assert status == 201 and answer["targets_queued"] == len(phones), answer
        _progress(f"  POST run: {timings[-1]:.3f} s")
    return {"targets": len(phones), "seconds": [round(value, 3) for value in timings],
            "median_s": round(statistics.median(timings), 3), "max_s": round(max(timings), 3)}


# --- Entry points ---


def measure() -> dict[str, Any]:
    """Both sections in this interpreter (`run()` gives them a fresh one)."""
    started = time.monotonic()
    _progress("starting the local stack in-process")
    stack = _Stack()
    sandbox = sandbox_run(stack)
    large = run_large_audience(stack)
    _progress(f"done in {time.monotonic() - started:.0f} s")
    return {"sandbox_run": sandbox, "run_large_audience": large,
            "targets": {"dollars_per_completed_call": COST_PER_CALL_TARGET, "run_seconds": RUN_10K_TARGET_SECONDS}}


def run() -> dict[str, Any]:
    """The measurement in a fresh interpreter: its environment is set before any project code reads it, and
    the executions left waiting (section 2) end with it."""
    script = ("import json, os, sys; from bench.dialer import measure; result = measure(); "
              "sys.stdout.write('\\n' + json.dumps(result) + '\\n'); sys.stdout.flush(); os._exit(0)")
    output = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1], env={**os.environ, **STACK_ENVIRONMENT}).stdout
    return json.loads(output.strip().splitlines()[-1])
