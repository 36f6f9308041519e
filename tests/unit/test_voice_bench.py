"""The voice-plane bench's arithmetic (bench/voice_plane.py): what it reads from the construct, the Fargate cost it
derives, how it cuts a turn into stages and how it judges agent audio against real-time playout."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bench import voice_plane
from bench.voice_callee import Received


def test_the_task_size_is_read_from_the_construct_without_starting_cdk() -> None:
    assert voice_plane._task_size() == {"TASK_CPU": 1024, "TASK_MEMORY_MIB": 2048, "ACTIVE_CALLS_PER_TASK": 20}


def test_the_fargate_cost_of_a_call_minute_is_the_tasks_minute_shared_by_the_calls_it_holds() -> None:
    # 1 vCPU + 2 GB at $0.04048 and $0.004445 an hour: $0.04937 an hour, shared by 20 calls (CPU allows 35).
    figures = voice_plane._fargate(cpu_ms_per_call_second=20.0)

    assert figures["task_per_hour"] == pytest.approx(0.04937)
    assert figures["calls_per_task_by_cpu"] == 35.0 and figures["calls_per_task"] == 20
    assert figures["per_call_minute"] == pytest.approx(0.04937 / 60 / 20)


def test_a_core_that_holds_fewer_calls_than_the_autoscaling_target_sets_the_cost() -> None:
    figures = voice_plane._fargate(cpu_ms_per_call_second=70.0)  # 700 ms of a core's 1,000 → 10 calls

    assert figures["calls_per_task"] == 10.0
    assert figures["per_call_minute"] == pytest.approx(0.04937 / 60 / 10)


@dataclass
class _Session:
    path: str
    finals: list = field(default_factory=list)


@dataclass
class _Connection:
    path: str
    request_times: list = field(default_factory=list)


@dataclass
class _Fakes:
    deepgram: object
    claude: object
    cartesia: object


@dataclass
class _Listen:
    sessions: list


@dataclass
class _Claude:
    request_paths: list
    request_times: list


@dataclass
class _Tts:
    connections: list


def test_a_turn_started_early_waits_for_the_turn_end_only_from_its_first_token() -> None:
    turn = voice_plane.Turn("call_a", speech_ended=10.0, first_audio=10.7)
    fakes = _Fakes(
        # "Okay," finalised at the line's pause (9.0); the rest 150 ms after the speech ended; the empty final answers
        # pipecat's Finalize. Call b's fakes are not this turn's.
        deepgram=_Listen([_Session("/call_a/v1/listen", [("Okay,", 9.0), ("tell me more.", 10.16), ("", 10.4)]),
                          _Session("/call_b/v1/listen", [("Other", 10.5)])]),
        claude=_Claude(["/call_b/v1/messages", "/call_a/v1/messages?beta=true"], [10.2, 10.17]),
        cartesia=_Tts([_Connection("/call_a/tts/websocket", [10.58, 10.65])]))

    # The turn ended at 10.55: the reply, ready at 10.52 (asked at 10.17, first token 350 ms later), waited 30 ms.
    stages = voice_plane._stages(fakes, turn, turn_ends=[8.0, 10.55])

    assert stages == pytest.approx({"end_of_speech_to_stt_final": 160.0, "stt_final_to_claude_request": 10.0,
                                    "claude_request_to_first_tts_request": 410.0,
                                    "tts_request_to_first_audio_at_the_carrier": 120.0,
                                    "end_of_speech_to_turn_end": 550.0, "turn_detector_wait": 30.0})


def test_a_turn_asked_at_its_end_waited_for_it_from_the_final_transcript() -> None:
    turn = voice_plane.Turn("call_a", speech_ended=10.0, first_audio=11.0)
    fakes = _Fakes(deepgram=_Listen([_Session("/call_a/v1/listen", [("Please stop.", 10.15)])]),
                   claude=_Claude(["/call_a/v1/messages"], [10.42]),
                   cartesia=_Tts([_Connection("/call_a/tts/websocket", [10.8])]))

    stages = voice_plane._stages(fakes, turn, turn_ends=[10.4])

    assert stages["turn_detector_wait"] == pytest.approx(250.0)  # 10.15 → 10.4


def test_a_turn_the_voice_plane_never_reported_ended_is_not_cut() -> None:
    turn = voice_plane.Turn("call_a", speech_ended=10.0, first_audio=11.0)
    fakes = _Fakes(deepgram=_Listen([_Session("/call_a/v1/listen", [("Hi.", 10.15)])]),
                   claude=_Claude(["/call_a/v1/messages"], [10.42]),
                   cartesia=_Tts([_Connection("/call_a/tts/websocket", [10.8])]))

    assert voice_plane._stages(fakes, turn, turn_ends=[]) is None


@dataclass
class _Callee:
    received: list


def test_agent_audio_is_late_only_when_a_frame_arrives_after_the_ones_before_it_finished_playing() -> None:
    frame = 320  # 40 ms of μ-law
    arrivals = [(0.0, True), (0.01, True), (0.2, True), (0.5, False), (0.9, True)]
    callee = _Callee([Received("media", at, frame, audible) for at, audible in arrivals])

    lateness = voice_plane._playout_lateness([callee], started=0.0, ended=1.0)

    # 0.01 arrives while the first plays (due 0.04): on time; 0.2 is due at 0.08 → 120 ms late; the frame after
    # a silent one starts a new stretch of speech and is never late.
    assert lateness == pytest.approx([0.0, 120.0])
