"""The conversation brain in the streaming pipeline: the transport-free turn engine's rules, applied per turn.

It sits between the user context aggregator and the LLM. At the start of the call it has the opener spoken
(AI disclosure and recording notice first: `engine.opening`). For every completed callee turn it asks the
engine for the next action with an agent that defers to the streamed model: when the engine's rules decide
(an opt-out, the call's time or turn limit, a callback request) the brain acts — the DNC write before the
goodbye, the callback's approval — says the engine's words and ends the call, and the model is never asked;
otherwise the turn goes on to Claude, which streams the reply into the TTS.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pipecat.frames.frames import EndWorkerFrame, Frame, LLMContextFrame, StartFrame, TTSSpeakFrame
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from shared.conversation import engine
from shared.conversation.models import Action, Continue, End, OptOut, RequestCallback, Transcript
from shared.platform import clock
from shared.workflows.rule_book import RuleBook
from voice.call_context import CallContext
from voice.effects import CallEffects

#: The deferring agent's answer: "the model writes this turn" (never spoken; compared by identity).
STREAMED_REPLY = Continue(say="(the streamed model answers this turn)")


class _StreamedAgent:
    """The engine's Agent port for a streamed call: the words come from the LLM downstream, not from here."""

    def propose(self, rule_book: RuleBook, transcript: Transcript, utterance: str) -> Action:
        return STREAMED_REPLY


class ConversationBrain(FrameProcessor):
    def __init__(self, call: CallContext, effects: CallEffects, *, started_at: datetime | None = None) -> None:
        """`started_at`: when the call was answered, if known before the pipeline starts (else: at its start)."""
        super().__init__(name="conversation-brain")
        self._call = call
        self._effects = effects
        self._started_at = started_at
        self._ending = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            self._started_at = self._started_at or clock.now()
            await self.push_frame(TTSSpeakFrame(engine.opening(self._call.rule_book).say))
            return
        if isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            await self._on_callee_turn(frame)
            return
        await self.push_frame(frame, direction)

    async def _on_callee_turn(self, frame: LLMContextFrame) -> None:
        if self._ending:
            return  # the goodbye is being said: nothing more goes to the model
        utterance, earlier = _last_callee_turn(frame.context, self._started_at or clock.now())
        if not utterance:
            await self.push_frame(frame)
            return
        action = engine.next_action(self._call.rule_book, earlier, utterance, agent=_StreamedAgent(), now=clock.now())
        if action is STREAMED_REPLY:
            await self.push_frame(frame)
            return
        if getattr(frame, "speculation", False):
            return  # a provisional turn: act once it is final, and do not start the model on it meanwhile
        await self._act(action, utterance)

    async def _act(self, action: Action, utterance: str) -> None:
        if isinstance(action, OptOut):
            await asyncio.to_thread(self._effects.opt_out, self._call)
            await self._say_and_hang_up(action.say_goodbye)
        elif isinstance(action, End):
            await self._say_and_hang_up(action.say)
        elif isinstance(action, RequestCallback):
            await asyncio.to_thread(self._effects.request_callback, self._call, action, utterance)
            await self._say_and_hang_up(action.say)
        elif isinstance(action, Continue):
            await self.push_frame(TTSSpeakFrame(action.say))  # the engine's own words (e.g. no callbacks)
        # ProposeConcession and Voicemail: the deferring agent proposes neither, so the engine returns neither.

    async def _say_and_hang_up(self, text: str) -> None:
        self._ending = True
        await self.push_frame(TTSSpeakFrame(text))
        # Ends the pipeline gracefully: the EndFrame follows the goodbye through TTS and the transport.
        await self.push_frame(EndWorkerFrame(), FrameDirection.UPSTREAM)


def _last_callee_turn(context: LLMContext, started_at: datetime) -> tuple[str, Transcript]:
    """The callee's latest words and the transcript before them, from the shared LLM context."""
    turns = [(message.get("role"), _text(message.get("content"))) for message in context.get_messages()
             if isinstance(message, dict) and message.get("role") in ("user", "assistant")]
    if not turns or turns[-1][0] != "user":
        return "", Transcript()
    transcript = Transcript()
    for role, text in turns[:-1]:
        if text:
            transcript = transcript.add("agent" if role == "assistant" else "callee", text, started_at)
    return turns[-1][1].strip(), transcript


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""
