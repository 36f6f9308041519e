"""The calls API's views of a stored call: per-turn latency percentiles and transcript offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.calls.models import Call
from shared.calls.service import latency_of, transcript_of

PLACED = datetime(2026, 5, 4, 15, 0, 0, tzinfo=UTC)


def _call(**fields) -> Call:
    return Call(id="call_1", tenant_id=1, workflow_id="wf_1", run_id="run_1", segment=1, target_phone="+14155550123",
                attempt=1, is_test=False, created_at=PLACED, **fields)


def test_no_measurement_is_no_latency() -> None:
    assert latency_of([]) is None


@pytest.mark.parametrize(("measurements", "p50", "p95"), [
    ([700], 700, 700),
    ([900, 500], 500, 900),
    (list(range(100, 2100, 100)), 1000, 1900),  # 20 turns: nearest rank 10 and 19
])
def test_latency_is_the_nearest_rank_percentiles(measurements, p50, p95) -> None:
    latency = latency_of(measurements)

    assert latency is not None and (latency.turns, latency.p50_ms, latency.p95_ms) == (len(measurements), p50, p95)


def test_offsets_count_from_the_answer_and_the_callee_is_the_contact() -> None:
    call = _call(answered_at=PLACED + timedelta(seconds=3), transcript=[
        {"speaker": "agent", "text": "Hi", "at": "2026-05-04T15:00:03.250000Z"},
        {"speaker": "callee", "text": "Hello?", "at": "2026-05-04T15:00:06Z"}])

    lines = transcript_of(call)

    assert [(line.speaker, line.offset_ms, line.interrupted) for line in lines] == [
        ("agent", 250, False), ("contact", 3000, False)]


def test_an_opener_stamped_before_the_answer_event_starts_the_clock() -> None:
    # The carrier's voice webhook (the opener) can be stamped before the in-progress status event lands.
    call = _call(answered_at=PLACED + timedelta(seconds=5), transcript=[
        {"speaker": "agent", "text": "Hi", "at": "2026-05-04T15:00:04"},  # naive: taken as UTC
        {"speaker": "callee", "text": "Yes", "at": "2026-05-04T15:00:06Z"}])

    assert [line.offset_ms for line in transcript_of(call)] == [0, 2000]


def test_the_voice_planes_offsets_and_interruptions_are_kept() -> None:
    call = _call(transcript=[{"speaker": "agent", "text": "Our offer is", "offset_ms": 40, "interrupted": True},
                             {"speaker": "contact", "text": "No thanks", "offset_ms": 1800}])

    assert [(line.speaker, line.offset_ms, line.interrupted) for line in transcript_of(call)] == [
        ("agent", 40, True), ("contact", 1800, False)]
