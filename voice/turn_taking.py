"""Who has the floor: when the callee's speech interrupts the agent, what counts as a backchannel, and when the
model may start answering a turn that is not over yet.

`FloorAwareTurnStart` is the VAD turn-start strategy with one difference: while the agent holds the floor (the
opener with its disclosures, a voicemail message, the farewell), a callee who starts talking still starts a turn
— their words are transcribed and reach the brain, so "stop calling me" over the opener is acted on — but the
agent is not interrupted and the carrier's buffer is not cleared.

A backchannel ("mm-hm", "yeah", "right") said over the agent is a turn like any other for pipecat: it interrupts.
The brain then sees that the turn was only a backchannel (or no words at all: a cough, a noise) and resumes the
reply it cut off instead of asking the model (voice/pipeline.py explains the trade-off).

`SpeculativeTurnStop` is smart-turn's end of turn (VAD stop, the turn model's verdict, the final transcript), with
the model started early: the moment the recogniser finalises words, or the callee pauses (Silero's stop), on the
words finalised so far, against a provisional context; pipecat's speculation gate in the LLM service holds the reply
until the turn really ends. When the committed transcript matches what the model was started on, the reply
already under way is the answer (no second request); when the callee goes on talking or the words differ, the
early request is withdrawn and the turn is answered as usual. The price is a request to the model that may be
thrown away (a pause mid-sentence); the gain is the recogniser's and the turn model's waits overlapping Claude's
time to first token. Only a turn the brain would leave to the model is started early (`may_start`), and a turn
is confirmed early only if the brain did pass that start on to the model (`started`): a turn the rules act on
(an opt-out…) always reaches the brain whole.
"""

from __future__ import annotations

from collections.abc import Callable

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer
from pipecat.frames.frames import (
    Frame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.turns.types import ProcessFrameResult, UserTurnSpeculation
from pipecat.turns.user_start import VADUserTurnStartStrategy
from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy
from pipecat.turns.user_stop.eager_match_policy import NormalizedMatch

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


class SpeculativeTurnStop(TurnAnalyzerUserTurnStopStrategy):
    def __init__(self, *, turn_analyzer: BaseTurnAnalyzer, may_start: Callable[[str], bool],
                 started: Callable[[str], bool]) -> None:
        super().__init__(turn_analyzer=turn_analyzer)
        self._may_start = may_start
        self._started = started
        # The final transcripts of this turn (one per segment the recogniser closed). Interim words are not
        # started on: they change, and an interim "Please" may end as "Please stop calling me", which is the
        # rules' to act on, not the model's.
        self._finals: list[str] = []
        self._speculation: UserTurnSpeculation | None = None
        self._match = NormalizedMatch()
        self._turn_open = False

    async def handle_user_turn_started(self) -> None:
        await super().handle_user_turn_started()
        self._turn_open = True

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if isinstance(frame, TranscriptionFrame) and frame.text.strip():
            self._finals.append(frame.text.strip())
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            await self._withdraw()  # the callee goes on: whatever was started early answers too little
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            await self._speculate()  # before the turn model's verdict (~130 ms): the model starts meanwhile
        result = await super().process_frame(frame)
        if isinstance(frame, TranscriptionFrame):
            # A final means the recogniser heard the speech end (its own endpointing, ~150 ms): start on it, even
            # before Silero's 0.2 s stop; if the callee goes on, a later final or the committed text differs and
            # this start is withdrawn.
            await self._speculate()
        return result

    async def trigger_user_turn_stopped(self, *, enable_user_speaking_frames: bool | None = None) -> None:
        self._turn_open = False
        speculation, self._speculation = self._speculation, None
        if speculation is not None and self._started(speculation.text) \
                and self._match.matches(speculation.text, self._committed()):
            await self.trigger_user_turn_finalized(enable_user_speaking_frames=enable_user_speaking_frames,
                                                   confirms_speculation=True)
            return
        if speculation is not None:
            await self.trigger_user_turn_speculation_cancelled()
        await super().trigger_user_turn_stopped(enable_user_speaking_frames=enable_user_speaking_frames)

    async def _reset(self) -> None:
        await super()._reset()
        await self._withdraw()  # a turn that ended another way (the stop watchdog, the session) leaves none held
        self._finals = []

    async def _speculate(self) -> None:
        text = self._committed()
        if not self._turn_open or not text or not self._may_start(text):
            return
        if self._speculation is not None:
            if self._match.matches(self._speculation.text, text):
                return
            await self._withdraw()
        self._speculation = UserTurnSpeculation(text=text)
        await self.trigger_user_turn_inference_triggered(speculation=self._speculation)

    async def _withdraw(self) -> None:
        if self._speculation is not None:
            self._speculation = None
            await self.trigger_user_turn_speculation_cancelled()

    def _committed(self) -> str:
        return " ".join(self._finals)


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
