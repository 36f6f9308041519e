"""Who has the floor: when the callee's speech interrupts the agent, and what counts as a backchannel.

`FloorAwareTurnStart` is the VAD turn-start strategy with one difference: while the agent holds the floor (the
opener with its disclosures, a voicemail message, the farewell), a callee who starts talking still starts a turn
— their words are transcribed and reach the brain, so "stop calling me" over the opener is acted on — but the
agent is not interrupted and the carrier's buffer is not cleared.

A backchannel ("mm-hm", "yeah", "right") said over the agent is a turn like any other for pipecat: it interrupts.
The brain then sees that the turn was only a backchannel (or no words at all: a cough, a noise) and resumes the
reply it cut off instead of asking the model (voice/pipeline.py explains the trade-off).
"""

from __future__ import annotations

from collections.abc import Callable

from pipecat.frames.frames import Frame, VADUserStartedSpeakingFrame
from pipecat.turns.types import ProcessFrameResult
from pipecat.turns.user_start import VADUserTurnStartStrategy

from shared.conversation import phrases

BACKCHANNELS: frozenset[str] = frozenset({
    "mm", "mhm", "mm hm", "mm hmm", "hmm", "uh huh", "uh hum", "yeah", "yes", "yep", "yup", "ok", "okay", "right",
    "sure", "i see", "got it", "go on", "alright", "all right", "cool", "fine", "true", "wow", "oh", "ah", "haan",
    "ji", "haan ji", "achha", "acha", "theek hai", "hmm hmm", "uh", "um", "oh okay", "okay okay", "yeah yeah",
    "right right", "yes yes",
})


def is_backchannel(utterance: str) -> bool:
    """A short acknowledgement that asks nothing: the listener is following, not taking the turn."""
    said = phrases.normalise(utterance).replace("-", " ")
    return said in BACKCHANNELS


class FloorAwareTurnStart(VADUserTurnStartStrategy):
    def __init__(self, floor_held: Callable[[], bool]) -> None:
        super().__init__(enable_interruptions=True)
        self._floor_held = floor_held

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if isinstance(frame, VADUserStartedSpeakingFrame):
            await self.trigger_user_turn_started(enable_interruptions=not self._floor_held())
            return ProcessFrameResult.STOP
        return ProcessFrameResult.CONTINUE


def remainder(intended: str, spoken: str) -> str:
    """What is left of `intended` after `spoken` (a prefix of it, word for word), from the start of the sentence
    that was cut: picking up mid-sentence sounds broken, restarting the sentence sounds natural."""
    words, said = intended.split(), len(spoken.split())
    if said >= len(words):
        return ""
    start = said
    while start > 0 and not words[start - 1].endswith((".", "!", "?", "…")):
        start -= 1
    return " ".join(words[start:])
