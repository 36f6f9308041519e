"""The sandbox callee's voice and words: espeak-ng speech as Twilio carries it, the answering machine's beep, and
the registry the voice plane's stand-in STT reads the callee's lines from."""

from __future__ import annotations

import audioop

from infra_local.sandbox_callee_lines import CalleeLineRegistry
from infra_local.sandbox_callee_voice import FRAME_BYTES, callee_speech, is_audible, machine_beep, machine_speech
from shared.conversation.sandbox_callees import MACHINE_GREETING, YES, callee_for


def _audible_seconds(ulaw: bytes) -> float:
    frames = [ulaw[index:index + FRAME_BYTES] for index in range(0, len(ulaw), FRAME_BYTES)]
    return sum(is_audible(frame.ljust(FRAME_BYTES, b"\xff")) for frame in frames) * 0.02


def test_a_line_is_real_speech_at_8_khz_mu_law() -> None:
    audio = callee_speech(YES)

    assert 1.5 < len(audio) / 8000 < 5  # a short sentence, at 8,000 one-byte samples a second
    assert _audible_seconds(audio) > 1.0
    assert audioop.max(audioop.ulaw2lin(audio, 2), 2) > 5000  # loud enough for the VAD
    assert callee_speech(YES) is audio  # every call of a campaign says the same lines: rendered once


def test_the_machine_speaks_in_another_voice_and_beeps_after_a_pause() -> None:
    beep = machine_beep()

    assert machine_speech(MACHINE_GREETING) != callee_speech(MACHINE_GREETING)
    assert not is_audible(beep[:FRAME_BYTES]) and is_audible(beep[-FRAME_BYTES:])
    assert _audible_seconds(beep) == 0.5


def test_silence_is_not_audible() -> None:
    assert not is_audible(b"\xff" * FRAME_BYTES) and not is_audible(b"\x7f" * FRAME_BYTES)


def test_the_registry_keeps_each_calls_lines_in_order_and_forgets_the_oldest_calls() -> None:
    registry = CalleeLineRegistry(calls_kept=2)
    registry.started("call_a", "one")
    registry.started("call_b", "hello")
    registry.started("call_a", "two")
    registry.started("call_c", "hi")

    assert registry.spoken("call_a") == ("one", "two")
    assert registry.spoken("call_b") == ()  # the least recently spoken call was forgotten
    assert registry.spoken("call_c") == ("hi",) and registry.spoken("call_unknown") == ()


def test_digit_2_greets_like_a_machine_and_digit_9_talks_over_the_agents_pitch() -> None:
    machine, barging = callee_for("+14155550102"), callee_for("+14155550109")

    assert machine.greeting == MACHINE_GREETING and machine.reply(0, "") is None
    assert barging.barges_in_at == 1 and barging.lines[1] == YES
    assert all(callee_for(f"+1415555010{digit}").barges_in_at is None for digit in "345678")


def test_a_line_is_said_in_one_breath_so_the_vad_hears_one_turn() -> None:
    # espeak-ng pauses ~340 ms between these two sentences: longer than the VAD's 0.2 s end-of-speech wait.
    audio = callee_speech(YES)
    frames = [is_audible(audio[index:index + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff"))
              for index in range(0, len(audio), FRAME_BYTES)]
    inside = frames[frames.index(True):len(frames) - frames[::-1].index(True)]
    quiet_runs = "".join(" " if loud else "q" for loud in inside).split(" ")
    longest_pause = max(len(run) for run in quiet_runs)

    assert longest_pause * 0.02 <= 0.12
    assert _audible_seconds(audio) > 1.5  # the words themselves are all there


def test_the_barging_callee_talks_over_the_agents_words_never_into_a_gap_between_them() -> None:
    from infra_local.sandbox_callee_voice import CalleeVoice

    said: list[str] = []
    voice = CalleeVoice(callee_for("+14155550109"), on_line=said.append, render=lambda text: b"\x00" * FRAME_BYTES)
    now = 0.0

    def agent(seconds: float, audible: bool) -> None:
        nonlocal now
        for _ in range(round(seconds / 0.02)):
            voice.frame(now, agent_audible=audible)
            now += 0.02

    agent(1.0, True)   # the opener
    agent(1.2, False)  # … quiet: the callee's first line ("tell me more")
    assert said == ["Hmm, tell me more."]
    agent(0.5, False)  # its line, then quiet
    agent(0.5, True)   # the agent's reply starts (0.5 s: not yet far enough in to talk over)
    agent(0.5, False)  # a gap in the reply (a busy voice plane's burst), past the barge-in moment
    assert said == ["Hmm, tell me more."]  # nothing said into the gap
    agent(0.04, True)  # the reply resumes: now the callee talks over it
    assert said == ["Hmm, tell me more.", YES]
