"""The voice plane publishes its active calls (CloudWatch `ActiveCalls`, dimension `Stack`), which the service's
autoscaling averages per task: once at start, every interval while it serves, 0 when it shuts down; a failed
publish is logged and never reaches a call; nothing at all without a namespace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from shared.calls import media_tokens
from shared.platform.aws import client
from shared.platform.settings import reset_settings
from shared.providers.metrics.active_calls import ActiveCallsGauge, active_calls_gauge
from tests.environment import environment
from tests.voice.test_media_stream import CLAUDE_SAYS, TENANT_ID, start_voice_plane
from tests.voice.twilio_callee import TwilioCallee
from voice.active_calls_metric import publishing_active_calls

NAMESPACE = "CallFunnel/Voice"
STACK = "voice-metric-test"
METRICS_ENVIRONMENT = {"VOICE_METRICS_NAMESPACE": NAMESPACE, "VOICE_METRICS_STACK": STACK,
                       "VOICE_METRICS_INTERVAL_SECONDS": "0.2"}


# --- The publishing loop, with a recording publisher -------------------------------------------------------------

def run_publishing(count, publish, *, serve_seconds: float, interval_seconds: float = 0.05) -> None:
    async def serve() -> None:
        async with publishing_active_calls(count, publish, interval_seconds):
            await asyncio.sleep(serve_seconds)

    asyncio.run(serve())


def test_the_count_is_published_at_once_then_every_interval_and_0_at_shutdown():
    calls = {"call-1", "call-2", "call-3"}
    published: list[int] = []
    run_publishing(lambda: len(calls), published.append, serve_seconds=0.28)
    assert published[0] == 3 and published[-1] == 0
    assert published[:-1] == [3] * (len(published) - 1) and 4 <= len(published) - 1 <= 7  # ~0.28 s / 0.05 s


def test_a_failed_publish_is_logged_and_the_next_one_still_happens(caplog):
    attempts: list[int] = []

    def flaky(count: int) -> None:
        attempts.append(count)
        if len(attempts) == 1:
            raise RuntimeError("CloudWatch unreachable")

    with caplog.at_level(logging.ERROR, logger="callfunnel.voice"):
        run_publishing(lambda: 2, flaky, serve_seconds=0.12)
    assert len(attempts) >= 3 and attempts[-1] == 0  # it went on publishing after the failure, and at shutdown
    assert "could not be published" in caplog.text


def test_nothing_is_published_without_a_namespace(monkeypatch):
    monkeypatch.delenv("VOICE_METRICS_NAMESPACE", raising=False)
    reset_settings()
    try:
        assert active_calls_gauge() is None
        run_publishing(lambda: 1, None, serve_seconds=0.05)  # no publisher: the server serves all the same
    finally:
        reset_settings()


# --- The server on moto's CloudWatch --------------------------------------------------------------------------------

@pytest.fixture
def metrics_on(table):
    with environment(METRICS_ENVIRONMENT):
        yield ActiveCallsGauge(namespace=NAMESPACE, stack=STACK)


def published_statistics() -> dict:
    now = datetime.now(UTC)
    answer = client("cloudwatch").get_metric_statistics(
        Namespace=NAMESPACE, MetricName="ActiveCalls", Dimensions=[{"Name": "Stack", "Value": STACK}],
        StartTime=now - timedelta(minutes=10), EndTime=now + timedelta(minutes=1), Period=3600,
        Statistics=["Maximum", "Minimum", "SampleCount"])
    points = answer["Datapoints"]
    return points[0] if points else {"Maximum": None, "Minimum": None, "SampleCount": 0}


def test_the_server_publishes_its_active_calls_under_the_stack_dimension(metrics_on):
    before = published_statistics()["SampleCount"]
    plane, servers = start_voice_plane(callee_lines=[], claude_says=CLAUDE_SAYS, tts_seconds_per_word=0.03,
                                       keep_record=lambda call, record: None)
    for server in servers:
        server.__enter__()
    plane.port = servers[-1].port
    try:
        async def two_calls_for_a_while() -> None:
            callees = []
            for call_id in ("call-metric-1", "call-metric-2"):
                callee = TwilioCallee(plane.url())
                await callee.open({"token": media_tokens.mint(TENANT_ID, call_id).token, "call_id": call_id})
                callees.append(callee)
            for callee in callees:  # both calls are live: their openers are playing
                assert await callee.wait_for(lambda c=callee: len(c.agent_audio()) > 0, timeout=15)
            deadline = time.monotonic() + 10
            while published_statistics()["Maximum"] != 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            for callee in callees:
                await callee.close()

        asyncio.run(two_calls_for_a_while())
    finally:
        for server in reversed(servers):
            server.__exit__(None, None, None)

    statistics = published_statistics()
    assert statistics["Maximum"] == 2  # never more than the calls it held, and all of them
    assert statistics["Minimum"] == 0  # at start, and the last one at shutdown
    assert statistics["SampleCount"] - before >= 3
    [metric] = client("cloudwatch").list_metrics(Namespace=NAMESPACE, MetricName="ActiveCalls",
                                                 Dimensions=[{"Name": "Stack", "Value": STACK}])["Metrics"]
    assert metric["Dimensions"] == [{"Name": "Stack", "Value": STACK}]
