"""The voice plane's figures (issue 12), measured at the carrier through the real server and pipeline.

The voice plane runs as it does in its container (bench/voice_plane_server.py: `voice.server.create_app` under
uvicorn, `voice.pipeline.build_pipeline` per call) in a process of its own pinned to one core, its AWS calls going
over HTTP to a moto server in this process (AWS's side of each call is not the voice plane's CPU; its own
boto3/pynamodb client work is); this process plays
the carriers (bench/voice_callee.py: Twilio Media Streams, 20 ms μ-law frames in real time, the callee's lines
spoken by espeak-ng — the tests' fixtures) and runs the provider fakes of tests/fakes set to published figures:
Deepgram's final transcript 150 ms after the end of speech (its own endpointing, as the real service finalises: a
final at each pause of 150 ms carrying only the words said so far — "Okay," at the line's comma, "tell me more
about it." at its end), Claude's first token 350 ms after the request (then 10 ms a word), Cartesia's first audio
90 ms after the request. It is pinned to the other core(s) when there are any.

1. **Voice-to-voice**: 4 calls at once, 6 turns each: the callee says a line, then streams silence (a carrier never
   stops) until the reply's first audible frame; end of speech (the interval of the line's last loud frame) →
   that frame's arrival. p50 and p95. The platform's own share of a turn = measured − the fakes' delays (150 +
   350 + 90 ms) − the turn detector's wait, p50. The turn detector's wait is the time the turn's end (VAD stop,
   smart-turn, the sentence rule: the voice plane reports when each turn ended) kept the reply back: with the model
   started early on the final words, from the reply's first token (request + 350 ms) to the turn's end; without,
   from the final transcript to the turn's end; never less than 0. Each turn is also cut into stages from what
   the fakes saw (per call, by URL path). And how soon the opener's first sound follows the stream's `start`
   (RULES: the opener within 2 s of answer).
2. **Barge-in**: 2 calls, each interrupting Claude's long answer 3 times, ~1 s into its audio: the callee's first
   frame of speech → the `clear` the voice plane sends.
3. **Density**: 25 calls at once (a new one every 0.25 s), each a conversation of ~2 s lines and ~4.5 s replies
   in real time; after they all run, a 30 s window: how far behind real time the voice plane processes the
   callee's frames (frame lag: the frame's send time → it reaching the conversation brain, after the transport,
   the STT's forwarding, the VAD and the turn analysis; p99, target < 100 ms), how late agent audio arrives
   against real-time playout at the carrier, the voice plane's CPU time (kernel's accounting of the process)
   per call-second, and the Fargate cost per call-minute that follows.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STT_FINAL_S, CLAUDE_TTFT_S, CARTESIA_TTFA_S = 0.150, 0.350, 0.090
CLAUDE_SECONDS_PER_WORD = 0.01
FAKE_DELAYS_MS = 1000 * (STT_FINAL_S + CLAUDE_TTFT_S + CARTESIA_TTFA_S)
V2V_CALLS, V2V_TURNS = 4, 6
BARGE_CALLS, BARGES_PER_CALL = 2, 3
DENSITY_CALLS = int(os.environ.get("BENCH_VOICE_CALLS", 25))
DENSITY_RAMP_S, DENSITY_SETTLE_S, DENSITY_WINDOW_S = 0.25, 4.0, 30.0
QUIET_S = 0.6  # the agent is done when no sound has arrived for this long

V2V_P50_TARGET_MS, V2V_P95_TARGET_MS, PLATFORM_P50_TARGET_MS = 700, 1000, 50
BARGE_IN_TARGET_MS = 250
FRAME_LAG_P99_TARGET_MS = 100
COST_PER_CALL_MINUTE_TARGET = 0.0005

#: The voice plane's task (infra_cdk/constructs/voice_plane.py) and Fargate's us-east-1 on-demand Linux/x86 prices.
FARGATE_PRICES_AS_OF = "AWS Fargate us-east-1 on-demand Linux/x86 list prices (not re-checked online)"
FARGATE_PER_VCPU_HOUR = 0.04048
FARGATE_PER_GB_HOUR = 0.004445
#: How busy a task's core may run before it scales out (headroom for bursts, garbage collection, call starts).
CPU_HEADROOM = 0.7

SHORT_REPLY = "Sure. Khata Cloud keeps every invoice and payment in one place, and the annual plan saves you money."
LONG_REPLY = ("Of course. Khata Cloud keeps every invoice, every payment and every ledger in one place, it files "
              "your taxes on time, it reminds your customers to pay, it works on your phone and your laptop, and "
              "the annual plan costs less than two months of a bookkeeper, with ten percent off if you renew today.")
MEDIUM_REPLY = "Sure. The annual plan keeps your books, invoices and reminders in one place for less than before."


@dataclass
class Turn:
    call_id: str
    speech_ended: float
    first_audio: float

    @property
    def ms(self) -> float:
        return 1000 * (self.first_audio - self.speech_ended)


@dataclass
class Fakes:
    deepgram: Any
    claude: Any
    cartesia: Any
    turns: list[Turn] = field(default_factory=list)


def run() -> dict[str, Any]:
    """The measurement in a fresh interpreter (its own moto-free environment, its own fakes and server)."""
    script = "import json; from bench.voice_plane import measure; print(json.dumps(measure()))"
    env = {**os.environ, "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env,
                            cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure() -> dict[str, Any]:
    from tests.fakes.anthropic_streaming import FakeAnthropicStreaming
    from tests.fakes.cartesia_tts_ws import FakeCartesiaTts
    from tests.fakes.deepgram_listen import FakeDeepgramListen

    server_core, harness_cores = _cores()
    os.sched_setaffinity(0, harness_cores)
    fakes = Fakes(deepgram=FakeDeepgramListen(["Okay, tell me more about it."] * 10_000,
                                              final_delay_seconds=STT_FINAL_S, endpointing_seconds=STT_FINAL_S),
                  claude=FakeAnthropicStreaming([SHORT_REPLY], first_token_delay_seconds=CLAUDE_TTFT_S,
                                                seconds_between_tokens=CLAUDE_SECONDS_PER_WORD),
                  cartesia=FakeCartesiaTts(first_audio_delay_seconds=CARTESIA_TTFA_S, seconds_per_word=0.08))
    aws = _moto_server()
    with fakes.deepgram, fakes.claude, fakes.cartesia:
        server = _VoicePlane(fakes, server_core, aws_endpoint=aws.endpoint)
        try:
            figures = asyncio.run(_phases(fakes, server))
        finally:
            server.stop()
            aws.server.stop()
    figures["machine"] = {"cores": os.cpu_count(), "voice_plane_core": server_core,
                          "harness_cores": sorted(harness_cores), "load_average": os.getloadavg()}
    return figures


@dataclass
class _MotoServer:
    server: Any
    endpoint: str


def _moto_server() -> _MotoServer:
    """AWS for the voice plane: moto's server, on this process's (the harness's) core."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port())
    server.start()
    host, port = server.get_host_and_port()
    return _MotoServer(server, f"http://{host}:{port}")


def _cores() -> tuple[int, set[int]]:
    cores = sorted(os.sched_getaffinity(0))
    server = cores[-1]
    return server, (set(cores[:-1]) or {server})


class _VoicePlane:
    """bench/voice_plane_server.py in its own process, pinned to one core."""

    def __init__(self, fakes: Fakes, core: int, *, aws_endpoint: str) -> None:
        self.port = _free_port()
        self.log = (ROOT / "bench" / "results")
        self.log.mkdir(exist_ok=True)
        env = {**os.environ, **_voice_environment(), "AWS_ENDPOINT_URL": aws_endpoint,
               "BENCH_VOICE_CORE": str(core), "BENCH_VOICE_PORT": str(self.port),
               "BENCH_DEEPGRAM_URL": fakes.deepgram.base_url, "BENCH_ANTHROPIC_URL": fakes.claude.base_url,
               "BENCH_CARTESIA_URL": fakes.cartesia.ws_url}
        self._log_file = open(self.log / "voice-plane-server.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([sys.executable, "-m", "bench.voice_plane_server"], cwd=ROOT, env=env,
                                        stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not self._healthy():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"the voice plane did not start (see {self.log / 'voice-plane-server.log'})")
            time.sleep(0.2)

    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/media/twilio"

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as reply:
            return json.loads(reply.read())

    def cpu_seconds(self) -> float:
        """User + system time of the whole process (every thread), from the kernel."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()

    def _healthy(self) -> bool:
        try:
            return self.get("/healthz")["status"] == "ok"
        except OSError:
            return False


def _voice_environment() -> dict[str, str]:
    return {"CALLFUNNEL_ENVIRONMENT": "local", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "TABLE_NAME": "callfunnel-bench-voice",
            "JWT_SECRET": "bench-voice-plane-secret-long-enough-for-hs256", "POWERTOOLS_METRICS_DISABLED": "true"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _phases(fakes: Fakes, server: _VoicePlane) -> dict[str, Any]:
    from bench.voice_callee import load_line

    line = load_line("tell_me_more")
    os.environ.update(_voice_environment())  # the harness mints the media tokens with the voice plane's key
    phases = os.environ.get("BENCH_VOICE_PHASES", "v2v,barge,density").split(",")
    v2v = await _voice_to_voice(fakes, server, line) if "v2v" in phases else _skipped()
    barge = await _barge_in(fakes, server, line) if "barge" in phases else _skipped()
    density = await _density(fakes, server, line) if "density" in phases else _skipped()
    return {"fakes_ms": {"stt_final": 1000 * STT_FINAL_S, "claude_first_token": 1000 * CLAUDE_TTFT_S,
                         "claude_per_word": 1000 * CLAUDE_SECONDS_PER_WORD, "cartesia_first_audio":
                             1000 * CARTESIA_TTFA_S},
            "voice_to_voice": v2v, "barge_in": barge, "density": density}


def _skipped() -> dict[str, Any]:
    return {"skipped": True}


def _callee(server: _VoicePlane, call_id: str):
    from bench.voice_callee import Callee
    from shared.calls import media_tokens

    return Callee(url=server.url(), call_id=call_id, token=media_tokens.mint(7, call_id).token)


async def _opener_heard(callee) -> bool:
    return (await callee.listen_until(lambda: bool(callee.audible_after(0.0)), timeout=20)
            and await callee.listen_until(lambda: callee.quiet_for(QUIET_S), timeout=60))


async def _converse(callee, line, turns: int, into: list[Turn], stop: asyncio.Event | None = None,
                    openers: list[float] | None = None) -> None:
    """Opener, then `turns` exchanges (or until `stop`): a line, the reply's first sound, the reply to its end.
    `openers`: how long after the stream's `start` the opener's first sound arrived (RULES: within 2 s of answer)."""
    await callee.open()
    opened = time.monotonic()
    if not await _opener_heard(callee):
        return
    if openers is not None:
        openers.append(1000 * (callee.audible_after(0.0)[0].at - opened))
    for _ in range(turns):
        if stop is not None and stop.is_set():
            return
        _, ended = await callee.say(line)
        if not await callee.listen_until(lambda ended=ended: bool(callee.audible_after(ended)), timeout=15):
            return
        into.append(Turn(callee.call_id, ended, callee.audible_after(ended)[0].at))
        await callee.listen_until(lambda: callee.quiet_for(QUIET_S), timeout=60)


async def _voice_to_voice(fakes: Fakes, server: _VoicePlane, line) -> dict[str, Any]:
    fakes.claude.replies, fakes.cartesia.seconds_per_word = [SHORT_REPLY], 0.08
    callees = [_callee(server, f"call_v2v{index:02d}") for index in range(V2V_CALLS)]
    turns: list[Turn] = []
    openers: list[float] = []
    await asyncio.gather(*(_converse(callee, line, V2V_TURNS, turns, openers=openers) for callee in callees))
    await asyncio.gather(*(callee.close() for callee in callees))
    turn_ends = (await asyncio.to_thread(server.get, "/_bench/turn_ends"))["turn_ends"]
    cut = [(turn, stage) for turn in turns
           if (stage := _stages(fakes, turn, turn_ends.get(turn.call_id, []))) is not None]
    stages = [stage for _, stage in cut]
    platform = [turn.ms - FAKE_DELAYS_MS - stage["turn_detector_wait"] for turn, stage in cut]
    return {"turns": len(turns), "opener_ms": [round(ms) for ms in openers],
            "p50_ms": _percentile([t.ms for t in turns], 50),
            "p95_ms": _percentile([t.ms for t in turns], 95),
            "platform_p50_ms": _percentile(platform, 50),
            "platform_all_ms": [round(ms) for ms in platform],
            "turn_detector_wait_p50_ms": _percentile([s["turn_detector_wait"] for s in stages], 50),
            "stages_p50_ms": {name: _percentile([s[name] for s in stages], 50)
                              for name in (stages[0] if stages else {})},
            "all_ms": [round(t.ms) for t in turns],
            "all_stages_ms": [{name: round(ms) for name, ms in stage.items()} for stage in stages]}


def _stages(fakes: Fakes, turn: Turn, turn_ends: list[float]) -> dict[str, float] | None:
    """Where one turn's time went, from what the fakes saw of this call (its own URL path at each) and when the
    voice plane says the turn ended. The reply's request is the last one to Claude before its first sound; the
    final it answers, the last words Deepgram finalised before that request."""
    prefix = f"/{turn.call_id}/"
    asked = [at for path, at in zip(fakes.claude.request_paths, fakes.claude.request_times, strict=False)
             if path.startswith(prefix) and turn.speech_ended - 3 < at <= turn.first_audio]
    ended = [at for at in turn_ends if turn.speech_ended - 0.5 < at <= turn.first_audio]
    if not asked or not ended:
        return None
    request, turn_end = max(asked), max(ended)
    finals = [at for session in fakes.deepgram.sessions if session.path.startswith(prefix)
              for text, at in session.finals if text and turn.speech_ended - 3 < at <= request]
    spoken = [at for connection in fakes.cartesia.connections if connection.path.startswith(prefix)
              for at in connection.request_times if request < at <= turn.first_audio]
    if not finals or not spoken:
        return None
    final, tts = max(finals), min(spoken)
    # Started early (on the final, before the turn ended), the reply is held from its first token to the turn's
    # end; asked at the turn's end, the request waited for it from the final.
    ready = request + CLAUDE_TTFT_S if request < turn_end else final
    return {"end_of_speech_to_stt_final": 1000 * (final - turn.speech_ended),
            "stt_final_to_claude_request": 1000 * (request - final),
            "claude_request_to_first_tts_request": 1000 * (tts - request),
            "tts_request_to_first_audio_at_the_carrier": 1000 * (turn.first_audio - tts),
            "end_of_speech_to_turn_end": 1000 * (turn_end - turn.speech_ended),
            "turn_detector_wait": 1000 * max(0.0, turn_end - ready)}


async def _barge_in(fakes: Fakes, server: _VoicePlane, line) -> dict[str, Any]:
    fakes.claude.replies, fakes.cartesia.seconds_per_word = [LONG_REPLY], 0.25
    samples: list[float] = []

    async def interrupt(callee) -> None:
        await callee.open()
        if not await _opener_heard(callee):
            return
        _, ended = await callee.say(line)
        for _ in range(BARGES_PER_CALL):
            if not await callee.listen_until(lambda ended=ended: bool(callee.audible_after(ended)), timeout=15):
                return
            await callee.pause(1.0)  # a second into the answer
            started, ended = await callee.say(line)
            clears = callee.clears_after(started)
            if clears:
                samples.append(1000 * (clears[0] - started))

    callees = [_callee(server, f"call_barge{index:02d}") for index in range(BARGE_CALLS)]
    await asyncio.gather(*(interrupt(callee) for callee in callees))
    await asyncio.gather(*(callee.close() for callee in callees))
    return {"samples": len(samples), "p50_ms": _percentile(samples, 50), "max_ms": round(max(samples, default=0)),
            "all_ms": [round(sample) for sample in samples]}


async def _density(fakes: Fakes, server: _VoicePlane, line) -> dict[str, Any]:
    fakes.claude.replies, fakes.cartesia.seconds_per_word = [MEDIUM_REPLY], 0.3
    stop = asyncio.Event()
    turns: list[Turn] = []
    openers: list[float] = []
    callees = [_callee(server, f"call_density{index:02d}") for index in range(DENSITY_CALLS)]
    cpu_before_ramp = server.cpu_seconds()
    tasks, call_started = [], []
    for callee in callees:
        call_started.append(time.monotonic())
        tasks.append(asyncio.create_task(_converse(callee, line, 1000, turns, stop, openers)))
        await asyncio.sleep(DENSITY_RAMP_S)
    await asyncio.sleep(DENSITY_SETTLE_S)
    ramp_cpu = server.cpu_seconds() - cpu_before_ramp
    ramp_call_seconds = sum(time.monotonic() - started for started in call_started)
    await asyncio.to_thread(server.get, "/_bench/lag")  # forget the ramp's
    started, cpu_start = time.monotonic(), server.cpu_seconds()
    await asyncio.sleep(DENSITY_WINDOW_S)
    ended, cpu_end = time.monotonic(), server.cpu_seconds()
    lags = (await asyncio.to_thread(server.get, "/_bench/lag"))["lags_ms"]
    rss = server.rss_mb()
    active = (await asyncio.to_thread(server.get, "/healthz"))["active_calls"]
    stop.set()
    await asyncio.gather(*(callee.close() for callee in callees))
    await asyncio.gather(*tasks, return_exceptions=True)

    window_turns = [turn for turn in turns if started <= turn.speech_ended and turn.first_audio <= ended]
    call_seconds = active * (ended - started)
    busy = (cpu_end - cpu_start) / (ended - started)
    cpu_ms_per_call_second = 1000 * (cpu_end - cpu_start) / call_seconds if call_seconds else float("nan")
    # The same per second of callee audio the voice plane got through (each frame is 20 ms): what a call-second
    # costs even when the core was not the voice plane's alone and it fell behind (then the figure above is what
    # it was given, not what it needed).
    audio_seconds = 0.02 * len(lags)
    cpu_ms_per_audio_second = 1000 * (cpu_end - cpu_start) / audio_seconds if audio_seconds else float("nan")
    return {"calls": DENSITY_CALLS, "active_in_window": active, "window_s": round(ended - started, 1),
            "frame_lag_p50_ms": _percentile(lags, 50), "frame_lag_p99_ms": _percentile(lags, 99),
            "frame_lag_max_ms": round(max(lags, default=0), 1), "frames_measured": len(lags),
            "agent_audio_lateness_p99_ms": _percentile(_playout_lateness(callees, started, ended), 99),
            "carrier_send_lateness_p99_ms": _percentile(
                [1000 * late for callee in callees for late in callee.send_lateness], 99),
            "cpu_ms_per_call_second": round(cpu_ms_per_call_second, 2),
            "cpu_ms_per_call_second_of_audio_processed": round(cpu_ms_per_audio_second, 2),
            "core_busy_percent": round(100 * busy, 1),
            # The ramp's CPU per call started: each call's start and its first seconds (the calls already running
            # meanwhile included; netting them out at the window's rate was not reliable on a shared core).
            "cpu_ms_per_call_start": round(1000 * ramp_cpu / DENSITY_CALLS, 1),
            "ramp_call_seconds": round(ramp_call_seconds, 1),
            "voice_plane_rss_mb": rss,
            "opener_p50_ms": _percentile(openers, 50), "opener_max_ms": round(max(openers, default=0)),
            "v2v_turns_in_window": len(window_turns), "v2v_p50_ms": _percentile([t.ms for t in window_turns], 50),
            "v2v_p95_ms": _percentile([t.ms for t in window_turns], 95),
            "fargate": _fargate(cpu_ms_per_call_second)}


def _playout_lateness(callees, started: float, ended: float) -> list[float]:
    """How late each agent audio frame arrived against real-time playout at the carrier: within a stretch of
    agent sound, a frame due when the previous ones finish playing that arrives after that is a gap heard."""
    lateness: list[float] = []
    for callee in callees:
        playing_until, previous_audible = 0.0, False
        for message in callee.received:
            if message.event != "media" or not (started <= message.at <= ended):
                continue
            duration = message.payload_bytes / 8000  # μ-law: one byte a sample
            if message.audible and previous_audible:
                lateness.append(1000 * max(0.0, message.at - playing_until))
                playing_until = max(playing_until, message.at) + duration
            else:
                playing_until = message.at + duration
            previous_audible = message.audible
    return lateness


def _task_size() -> dict[str, int]:
    """The voice plane's task size and autoscaling target, read from its construct's source: importing it would
    start CDK's node runtime for three numbers."""
    import ast

    wanted = {"TASK_CPU", "TASK_MEMORY_MIB", "ACTIVE_CALLS_PER_TASK"}
    tree = ast.parse((ROOT / "infra_cdk" / "constructs" / "voice_plane.py").read_text())
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id in wanted}


def _fargate(cpu_ms_per_call_second: float) -> dict[str, Any]:
    size = _task_size()
    vcpu, memory_gb, target = size["TASK_CPU"] / 1024, size["TASK_MEMORY_MIB"] / 1024, size["ACTIVE_CALLS_PER_TASK"]
    task_per_hour = vcpu * FARGATE_PER_VCPU_HOUR + memory_gb * FARGATE_PER_GB_HOUR
    calls_by_cpu = vcpu * 1000 * CPU_HEADROOM / cpu_ms_per_call_second if cpu_ms_per_call_second > 0 else 0
    calls_per_task = min(target, calls_by_cpu) if calls_by_cpu else target
    return {"task": f"{vcpu:g} vCPU, {memory_gb:g} GB, Linux/x86", "prices": FARGATE_PRICES_AS_OF,
            "per_vcpu_hour": FARGATE_PER_VCPU_HOUR, "per_gb_hour": FARGATE_PER_GB_HOUR,
            "task_per_hour": round(task_per_hour, 5), "autoscaling_calls_per_task": target,
            "calls_per_task_by_cpu": round(calls_by_cpu, 1), "calls_per_task": round(calls_per_task, 1),
            "per_call_minute": task_per_hour / 60 / calls_per_task,
            "per_call_minute_at_cpu_capacity": task_per_hour / 60 / calls_by_cpu if calls_by_cpu else None}


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 1)


def print_figures(figures: dict[str, Any]) -> None:
    v2v, barge, density = figures["voice_to_voice"], figures["barge_in"], figures["density"]
    if "skipped" in v2v or "skipped" in barge or "skipped" in density:
        print(json.dumps(figures, indent=2))
        return
    fakes = figures["fakes_ms"]
    print(f"\nVoice plane, measured at the carrier (fakes: STT final {fakes['stt_final']:.0f} ms, Claude first token "
          f"{fakes['claude_first_token']:.0f} ms then {fakes['claude_per_word']:.0f} ms a word, Cartesia first audio "
          f"{fakes['cartesia_first_audio']:.0f} ms; voice plane on core {figures['machine']['voice_plane_core']}, "
          f"load average {figures['machine']['load_average'][0]:.2f}):")
    print(f"  voice-to-voice over {v2v['turns']} turns: p50 {v2v['p50_ms']} ms "
          f"(target ≤ {V2V_P50_TARGET_MS})  {_verdict(v2v['p50_ms'], V2V_P50_TARGET_MS)}; "
          f"p95 {v2v['p95_ms']} ms (target ≤ {V2V_P95_TARGET_MS})  {_verdict(v2v['p95_ms'], V2V_P95_TARGET_MS)}")
    print(f"  the platform's own share p50 {v2v['platform_p50_ms']} ms (measured − {FAKE_DELAYS_MS:.0f} ms of fakes "
          f"− the turn detector's wait, p50 {v2v['turn_detector_wait_p50_ms']} ms; target ≤ "
          f"{PLATFORM_P50_TARGET_MS})  {_verdict(v2v['platform_p50_ms'], PLATFORM_P50_TARGET_MS)}")
    print(f"  the opener's first sound after the stream's start, {len(v2v['opener_ms'])} calls starting together: "
          f"{', '.join(f'{ms} ms' for ms in v2v['opener_ms'])} (RULES: within 2 s of answer)")
    print("  where a turn's time goes (p50 of each stage):")
    for stage, ms in v2v["stages_p50_ms"].items():
        print(f"    {stage:<44} {ms:>7} ms")
    print(f"  barge-in, callee starts speaking → clear at the carrier, {barge['samples']} times: p50 {barge['p50_ms']} "
          f"ms, max {barge['max_ms']} ms (target ≤ {BARGE_IN_TARGET_MS})  "
          f"{_verdict(barge['max_ms'] if barge['samples'] else None, BARGE_IN_TARGET_MS)}")
    fargate = density["fargate"]
    print(f"  density: {density['active_in_window']} calls in one process on one core, {density['window_s']} s window:")
    print(f"    frame lag (carrier send → the brain) p99 {density['frame_lag_p99_ms']} ms, p50 "
          f"{density['frame_lag_p50_ms']} ms over {density['frames_measured']:,} frames (target p99 < "
          f"{FRAME_LAG_P99_TARGET_MS})  {_verdict(density['frame_lag_p99_ms'], FRAME_LAG_P99_TARGET_MS)}")
    print(f"    agent audio late against real-time playout p99 {density['agent_audio_lateness_p99_ms']} ms; the "
          f"harness's own send lateness p99 {density['carrier_send_lateness_p99_ms']} ms")
    print(f"    the opener's first sound while the calls ramp up: p50 {density['opener_p50_ms']} ms, max "
          f"{density['opener_max_ms']} ms")
    print(f"    voice-to-voice under this load over {density['v2v_turns_in_window']} turns: "
          f"p50 {density['v2v_p50_ms']} ms, p95 {density['v2v_p95_ms']} ms")
    saturated = " — the core was saturated, so this is a lower bound" if density["core_busy_percent"] > 90 else ""
    print(f"    CPU {density['cpu_ms_per_call_second']} ms per call-second "
          f"({density['cpu_ms_per_call_second_of_audio_processed']} ms per second of callee audio processed), the core "
          f"{density['core_busy_percent']} % busy{saturated} (the ramp's CPU per call started, its first seconds "
          f"included: {density['cpu_ms_per_call_start']} ms); "
          f"resident memory {density['voice_plane_rss_mb']} MB")
    print(f"    Fargate ({fargate['task']}; ${fargate['per_vcpu_hour']}/vCPU-h, ${fargate['per_gb_hour']}/GB-h: "
          f"${fargate['task_per_hour']}/h; {fargate['prices']}): {fargate['calls_per_task']} calls per task "
          f"(autoscaling target {fargate['autoscaling_calls_per_task']}, CPU allows {fargate['calls_per_task_by_cpu']} "
          f"at {int(100 * CPU_HEADROOM)} % of the core) → ${fargate['per_call_minute']:.6f} per call-minute (target ≤ "
          f"${COST_PER_CALL_MINUTE_TARGET})  {_verdict(fargate['per_call_minute'], COST_PER_CALL_MINUTE_TARGET)}")


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "NOT MEASURED"
    return "ok" if value <= target else "OVER TARGET"


if __name__ == "__main__":
    measured = measure()
    print(json.dumps(measured))
    print_figures(measured)
