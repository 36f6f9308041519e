"""The sandbox callee on a media stream: when it speaks its scripted lines, and what its voice sounds like.

`CalleeVoice` is pure: the media stream hands it, every 20 ms, the time and whether the agent's audio it just played
was audible, and gets the callee's next 20 ms of 8 kHz μ-law back (silence when the callee is quiet, as Twilio
sends). A person (shared/conversation/sandbox_callees.py) waits for the agent to speak, then, once the agent has
been quiet for a moment, says its next line — or, for a line it barges in with, starts talking a moment into the
agent's reply. Each line is announced (`on_line`) the moment its audio starts. An answering machine plays its
greeting and a beep as it answers, then stays quiet (it is recording).

The voice is espeak-ng (shared/providers/tts/espeak.py): real, listenable speech that the production VAD hears.
"""

from __future__ import annotations

import audioop
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from shared.conversation.sandbox_callees import ScriptedCallee
from shared.providers.tts.espeak import EspeakVoice, speak_pcm

SAMPLE_RATE = 8000
FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law
FRAME_SECONDS = 0.02
ULAW_SILENCE = b"\xff" * FRAME_BYTES
#: 16-bit RMS above which a frame of the agent's audio counts as speech (digital silence is 0; espeak's words ≫ 1000).
AUDIBLE_RMS = 300
CALLEE_VOICE = EspeakVoice("en-us", "m3", words_per_minute=170)
MACHINE_VOICE = EspeakVoice("en-us", "f2", words_per_minute=165)
#: espeak-ng pauses 150-420 ms at commas and between sentences: longer than the VAD's 0.2 s end-of-speech wait, so
#: one line would reach the voice plane as several turns. A person says a short line in one breath: pauses inside a
#: line are shortened to this.
LONGEST_PAUSE_SECONDS = 0.12
BEEP_HZ, BEEP_SECONDS, BEEP_AMPLITUDE = 1000, 0.5, 9000
GAP_BEFORE_BEEP_SECONDS = 0.4

#: A line of text → its μ-law audio.
Render = Callable[[str], bytes]


@dataclass(frozen=True)
class CalleeTimings:
    #: How long the agent's audio must have been quiet before the callee answers: its sentences have short gaps, and
    #: a turn ends with espeak-ng's ~0.3 s of trailing silence, which the voice plane must have sent too before the
    #: callee's words count as an answer rather than talking over the agent (over the recording notice: no recording).
    reply_after_quiet_seconds: float = 1.0
    #: How much the agent must have said since the callee's last line for it to count as a turn to answer (a click,
    #: or the first syllable before a busy voice plane stalls, is not one).
    agent_turn_min_seconds: float = 0.4
    #: How far into the agent's reply a barging callee starts talking over it.
    #: Early enough that even a short question of the pitch is talked over (under load, a longer wait let it end first).
    barge_in_after_seconds: float = 0.6


class CalleeVoice:
    def __init__(self, callee: ScriptedCallee, *, on_line: Callable[[str], None], render: Render | None = None,
                 timings: CalleeTimings = CalleeTimings(), first_line: int = 0) -> None:
        """`first_line`: where the script goes on from (a call streamed again, after a transfer nobody answered)."""
        self._callee = callee
        self._on_line = on_line
        self._render = render or (machine_speech if callee.machine else callee_speech)
        self._timings = timings
        self._audio: dict[str, bytes] = {}
        self._speech = b""  # what is left of what the callee is saying
        self._turn = first_line  # the callee's next line
        self._greeted = False
        self._agent_heard = 0.0  # seconds of the agent's audio since the callee last started a line
        self._agent_turn_started = 0.0
        self._agent_last_audible = 0.0

    def prepare(self) -> None:
        """Render everything this callee may say before the call, so no 20 ms tick waits for espeak-ng."""
        for text in (self._callee.greeting, *self._callee.lines):
            if text:
                self._audio_of(text)

    @property
    def speaking(self) -> bool:
        return bool(self._speech)

    def frame(self, now: float, agent_audible: bool) -> bytes:
        """The callee's next 20 ms, given what the agent's last 20 ms sounded like."""
        if not self._greeted:
            self._greeted = True
            if self._callee.greeting:
                self._say(self._callee.greeting, then=machine_beep() if self._callee.machine else b"")
        if self._speech:
            return self._next_chunk()  # it does not listen while it talks: no agent turn starts under its words
        if agent_audible:
            if not self._agent_heard:
                self._agent_turn_started = now
            self._agent_heard += FRAME_SECONDS
            self._agent_last_audible = now + FRAME_SECONDS  # quiet from the end of this frame
        if self._agent_heard >= self._timings.agent_turn_min_seconds and self._its_turn(now, agent_audible):
            line = self._callee.reply(self._turn, "")
            self._turn += 1
            self._agent_heard = 0.0
            if line:
                self._say(line)
                return self._next_chunk()
        return ULAW_SILENCE

    def _its_turn(self, now: float, agent_audible: bool) -> bool:
        agent_done = not agent_audible and now - self._agent_last_audible >= self._timings.reply_after_quiet_seconds
        if self._turn == self._callee.barges_in_at:
            # Over the agent's words, never into a gap between them: on a loaded machine the reply may arrive in
            # bursts, and a line started in a gap talks over nothing (no barge-in, no `clear`).
            talking_over = agent_audible and now - self._agent_turn_started >= self._timings.barge_in_after_seconds
            return agent_done or talking_over
        return agent_done

    def _say(self, text: str, then: bytes = b"") -> None:
        self._speech = self._audio_of(text) + then
        self._on_line(text)

    def _audio_of(self, text: str) -> bytes:
        if text not in self._audio:
            self._audio[text] = self._render(text)
        return self._audio[text]

    def _next_chunk(self) -> bytes:
        chunk, self._speech = self._speech[:FRAME_BYTES], self._speech[FRAME_BYTES:]
        return chunk.ljust(FRAME_BYTES, b"\xff")


def is_audible(ulaw_frame: bytes) -> bool:
    return audioop.rms(audioop.ulaw2lin(ulaw_frame, 2), 2) > AUDIBLE_RMS


@functools.lru_cache(maxsize=256)  # every call of a campaign says the same few lines
def callee_speech(text: str) -> bytes:
    """A person's line, spoken by espeak-ng in one breath, as Twilio carries it (8 kHz μ-law)."""
    return audioop.lin2ulaw(in_one_breath(speak_pcm(text, CALLEE_VOICE, SAMPLE_RATE)), 2)


@functools.lru_cache(maxsize=16)
def machine_speech(text: str) -> bytes:
    return audioop.lin2ulaw(in_one_breath(speak_pcm(text, MACHINE_VOICE, SAMPLE_RATE)), 2)


def in_one_breath(pcm: bytes) -> bytes:
    """16-bit PCM with every quiet stretch between two sounds cut to LONGEST_PAUSE_SECONDS (the edges are kept)."""
    frame_bytes = FRAME_BYTES * 2
    frames = [pcm[index:index + frame_bytes] for index in range(0, len(pcm), frame_bytes)]
    loud = [audioop.rms(frame, 2) > AUDIBLE_RMS for frame in frames]
    if True not in loud:
        return pcm
    first, last = loud.index(True), len(loud) - 1 - loud[::-1].index(True)
    longest, kept, quiet_run = round(LONGEST_PAUSE_SECONDS / FRAME_SECONDS), [], 0
    for index, frame in enumerate(frames):
        quiet_run = 0 if loud[index] else quiet_run + 1
        if first < index < last and quiet_run > longest:
            continue
        kept.append(frame)
    return b"".join(kept)


@functools.cache
def machine_beep() -> bytes:
    """A short pause, then the answering machine's beep (a tone: the VAD does not take it for speech)."""
    samples = int(BEEP_SECONDS * SAMPLE_RATE)
    tone = b"".join(int(BEEP_AMPLITUDE * math.sin(2 * math.pi * BEEP_HZ * index / SAMPLE_RATE)).to_bytes(
        2, "little", signed=True) for index in range(samples))
    gap = b"\x00\x00" * int(GAP_BEFORE_BEEP_SECONDS * SAMPLE_RATE)
    return audioop.lin2ulaw(gap + tone, 2)
