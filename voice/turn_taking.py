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

When the recogniser's last final ends a sentence (a full stop, a question or exclamation mark — Deepgram
punctuates), `SpeculativeTurnStop` ends the turn once the callee has stayed quiet for `SENTENCE_END_SILENCE_SECS`
after speaking, whatever smart-turn says — so when those words are in at Silero's stop, smart-turn is not asked
at all (its inference is the largest per-turn CPU cost of a call). Smart-turn decides the pauses after words that do
not end a sentence (a comma's, a hesitation's), and the turns whose final comes after Silero's stop.
Smart-turn v3 is trained on human prosody and often hears a finished sentence as unfinished (FACTS: espeak lines; a
flat "I see." on a phone line too), which left the callee waiting its 3 s fallback after a complete question; the
fallback itself (`SMART_TURN_PARAMS`) is 1.5 s, for words without a sentence's end. This is the same trade the
hosted voice platforms make (an endpoint on punctuation after a short pause, a longer wait without it): a callee
who pauses half a second after a full stop and then goes on is answered early — the reply is then cut off by their
speech like any barge-in.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer
from pipecat.audio.turn.smart_turn.base_smart_turn import SmartTurnParams
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


#: After a final that ends a sentence, the turn ends when the callee has been quiet this long, whatever smart-turn says.
SENTENCE_END_SILENCE_SECS = 0.3
#: Smart-turn's own silence fallback (its default is 3 s), counted from Silero's stop: for a turn whose words do not
#: end a sentence, and that the turn model calls unfinished.
SMART_TURN_PARAMS = SmartTurnParams(stop_secs=1.5)
SENTENCE_ENDS = (".", "?", "!", "\u0964")  # the last is the Devanagari danda (Hindi's full stop)


def ends_sentence(text: str) -> bool:
    return text.rstrip().rstrip("\"'\u201d)").endswith(SENTENCE_ENDS)


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
        self._sentence_end_task: asyncio.Task | None = None
        self._quiet_long_enough = False  # the callee has been quiet SENTENCE_END_SILENCE_SECS since speaking

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
            await self._end_on_a_finished_sentence()  # a final that comes after the quiet
        return result

    async def _handle_vad_user_stopped_speaking(self, frame: VADUserStoppedSpeakingFrame) -> None:
        if ends_sentence(self._committed()):
            await self._stopped_after_a_sentence(frame)
            return
        await super()._handle_vad_user_stopped_speaking(frame)  # smart-turn's verdict
        if not self._turn_complete:
            # Silero's stop comes `stop_secs` after the speech ended (its timestamp is wall-clock time).
            wait = frame.timestamp - frame.stop_secs + SENTENCE_END_SILENCE_SECS - time.time()
            self._sentence_end_task = self.task_manager.create_task(self._after_the_quiet(max(0.0, wait)),
                                                                     f"{self}::sentence_end")

    async def _stopped_after_a_sentence(self, frame: VADUserStoppedSpeakingFrame) -> None:
        """Silero's stop after words that end a sentence: the turn ends after the quiet whatever smart-turn would
        say, so its inference (~50 ms of CPU, the largest per-turn cost of a call) is not run. What the base does
        at a stop otherwise: the VAD's state and the STT's safety-net wait, from the end of the speech."""
        self._vad_user_speaking, self._vad_stopped, self._stop_secs = False, True, frame.stop_secs
        self._turn_complete = False
        stt_wait = max(0.0, frame.timestamp - frame.stop_secs + self._stt_timeout - time.time())
        self._timeout_task = self.task_manager.create_task(self._timeout_handler(stt_wait),
                                                           f"{self}::_timeout_handler")
        wait = frame.timestamp - frame.stop_secs + SENTENCE_END_SILENCE_SECS - time.time()
        self._sentence_end_task = self.task_manager.create_task(self._after_the_quiet(max(0.0, wait)),
                                                                 f"{self}::sentence_end")

    async def _after_the_quiet(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._sentence_end_task = None
        self._quiet_long_enough = True
        await self._end_on_a_finished_sentence()

    async def _end_on_a_finished_sentence(self) -> None:
        """The turn model called the turn unfinished, the callee has stayed quiet, and the recogniser's words end a
        sentence: the turn is over (pipecat's own conditions still apply: words in hand, the final or its wait)."""
        if self._turn_complete or not self._quiet_long_enough or self._vad_user_speaking \
                or not self._vad_stopped or not ends_sentence(self._committed()):
            return
        self._turn_complete = True
        await self._maybe_trigger_user_turn_stopped()

    async def _discard_pending_end_of_turn(self) -> None:
        await super()._discard_pending_end_of_turn()  # the callee speaks again, or the turn is over
        self._quiet_long_enough = False
        if self._sentence_end_task is not None:
            task, self._sentence_end_task = self._sentence_end_task, None
            await self.task_manager.cancel_task(task)

    async def cleanup(self) -> None:
        await super().cleanup()
        if self._sentence_end_task is not None:
            task, self._sentence_end_task = self._sentence_end_task, None
            await self.task_manager.cancel_task(task)

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
