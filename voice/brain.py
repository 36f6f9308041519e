"""The conversation brain in the streaming pipeline: the transport-free turn engine's rules, applied per turn.

It sits between the user context aggregator and the LLM. At the start of the call it has the opener spoken
(AI disclosure and recording notice first: `engine.opening`) while it holds the floor (the callee's speech does
not cut it). For every completed callee turn it applies the engine's deterministic rules before the model is
asked: an opt-out (the DNC write before the goodbye), the call's time or turn limit, a callback request, a
percent the callee asked for (granted, refused, or the callee holds while a human decides). Only a turn the rules
leave to the model goes on to Claude. The model acts through its tools (voice/tools.py), whose handlers call
back here; the concession guard between the LLM and the TTS (voice/concession_guard.py) calls back here when the
model tried to say an offer it may not make.

Around the turns it watches the call: the carrier's answering-machine verdict and mailbox greetings (the rule
book's voicemail after the greeting), keypad digits (`9` alone opts out), the callee's silence (a prompt, then a
polite hang-up), the rule book's maximum call length, and backchannels said over the agent (the cut-off reply is
resumed, the model is not asked). The call's outcome is written when it is decided, before the farewell
(INTERFACES item 6); slow work (table writes, approvals) runs in worker threads inside the brain's own tasks, so
neither the audio nor an interruption can stop an action halfway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    EndWorkerFrame,
    Frame,
    InputDTMFFrame,
    InterruptionFrame,
    LLMContextFrame,
    StartFrame,
    TTSSpeakFrame,
    UserStartedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from shared.conversation import engine, phrases
from shared.conversation.models import (
    Action,
    Continue,
    End,
    OptOut,
    ProposeConcession,
    RequestCallback,
    Transcript,
    TransferToHuman,
)
from shared.conversation.scripted_agent import matching_handler
from shared.platform import clock
from voice.answering_machine import sounds_like_greeting, watch_answered_by
from voice.call_context import CallContext
from voice.concession_guard import ConcessionLimits
from voice.effects import CONCESSION_APPROVAL_TTL_SECONDS, CallEffects
from voice.engine_turns import STREAMED_REPLY, StreamedAgent, callee_turn, normalised, transcript_of
from voice.holding import wait_for_decision
from voice.keypad import Keypad
from voice.turn_taking import is_backchannel, remainder

logger = logging.getLogger("callfunnel.voice")

#: The key that opts out, pressed alone (47 CFR 64.1200(b)(3): an artificial-voice call offers an automated
#: voice and/or key-press opt-out; the opener offers the spoken one, this is the key-press one).
OPT_OUT_KEY = "9"
#: A machine verdict after this many callee turns is not believed: a real exchange outweighs it.
MACHINE_VERDICT_TURNS = 2
#: The stream parameter (and its values) of a call streamed back after its transfer was not answered.
TRANSFER_PARAMETER = "transfer"
TRANSFER_NOT_ANSWERED = ("no_answer", "busy", "failed")

Mode = Literal["opening", "talking", "holding", "voicemail", "ending"]


@dataclass(frozen=True)
class ConversationTiming:
    silence_seconds: float = 8.0  # the callee silent this long after the agent spoke: a prompt, then a hang-up
    approval_poll_seconds: float = 1.0  # how often a holding call reads its approval's decision
    hold_reminder_seconds: float = 25.0  # at most one short reminder this often while holding
    amd_poll_seconds: float = 0.75  # how often the carrier's answering-machine verdict is read…
    amd_watch_seconds: float = 30.0  # …during the first seconds of the call (also the greeting detector's window)
    greeting_quiet_seconds: float = 1.2  # a mailbox greeting (and its beep) is over once the line is this quiet
    greeting_wait_seconds: float = 20.0  # the voicemail is left after at most this long anyway
    keypad_gap_seconds: float = 1.5  # keys pressed within this of each other are one entry (or end it with #)
    opener_floor_seconds: float = 30.0  # the floor comes back to the callee after this even if no audio stopped


class ConversationBrain(FrameProcessor):
    def __init__(self, call: CallContext, effects: CallEffects, *, context: LLMContext | None = None,
                 started_at: datetime | None = None, timing: ConversationTiming | None = None) -> None:
        """`context`: the call's LLM context (keypad entries are added to it); `started_at`: when the call was
        answered, if known before the pipeline starts (else: at its start)."""
        super().__init__(name="conversation-brain")
        self._call = call
        self._rule_book = call.rule_book
        self._effects = effects
        self._context = context
        self._started_at = started_at
        self._timing = timing or ConversationTiming()
        self.limits = ConcessionLimits.of(self._rule_book.concession_policy)
        self._mode: Mode = "opening"
        self._agent_speaking = False
        self._callee_speaking = False
        self._callee_quiet_since = time.monotonic()
        self._turn_over_agent = False  # the callee's current turn began while the agent was speaking
        self._cut_off_reply = ""  # what the agent had left to say when the callee's turn cut it off
        self._last_spoke = time.monotonic()
        self._started = time.monotonic()
        self._silences = 0
        self._callee_turns = 0  # turns a person said (not a mailbox's greeting)
        self._started_early: set[str] = set()  # the words of this turn the model was started on early
        self._last_utterance = ""
        self._heard_human = False
        self._objections: list[str] = []
        self._approval_ids: list[str] = []
        self._hold_task: asyncio.Task | None = None
        self._taking_message = False  # the transfer was not answered: the callee's next words are a message
        self._tasks: set[asyncio.Task] = set()
        self._keypad = Keypad(self._timing.keypad_gap_seconds, self._keys_entered, self._spawn)

    # --- what the rest of the pipeline asks ------------------------------------------------------------------

    def floor_held(self) -> bool:
        """The agent must not be interrupted: the opener's disclosures, the hold line and its reminders (what the
        callee says while holding starts no turn anyway), a voicemail message, the farewell."""
        if self._mode == "opening" and time.monotonic() - self._started > self._timing.opener_floor_seconds:
            self._mode = "talking"
        return self._mode in ("opening", "holding", "voicemail", "ending")

    @property
    def mode(self) -> Mode:
        return self._mode

    # --- frames ----------------------------------------------------------------------------------------------

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            await self._open()
            return
        if isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            await self._on_callee_turn(frame)
            return
        if isinstance(frame, InputDTMFFrame):
            self._keypad.press(frame.button.value)
            return
        self._observe(frame, direction)
        await self.push_frame(frame, direction)

    def _observe(self, frame: Frame, direction: FrameDirection) -> None:
        if isinstance(frame, BotStartedSpeakingFrame) and direction == FrameDirection.UPSTREAM:
            self._agent_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame) and direction == FrameDirection.UPSTREAM:
            self._agent_speaking = False
            self._last_spoke = time.monotonic()
            if self._mode == "opening":
                self._mode = "talking"  # the opener has played whole: the callee may interrupt from now on
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._callee_speaking = True
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._callee_speaking = False
            self._callee_quiet_since = time.monotonic()
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._turn_over_agent = self._agent_speaking
        elif isinstance(frame, InterruptionFrame) and direction == FrameDirection.DOWNSTREAM:
            self._agent_speaking = False

    async def _open(self) -> None:
        self._started_at = self._started_at or clock.now()
        self._started = time.monotonic()
        if self._call.stream.custom_parameters.get(TRANSFER_PARAMETER) in TRANSFER_NOT_ANSWERED:
            # Back from a transfer nobody answered: the disclosures were made at the start of the call (and a person
            # answered it); the agent apologises and takes a message.
            self._heard_human, self._taking_message = True, True
            await self._say(engine.TRANSFER_FAILED)
            self._spawn(self._end_at_time_limit(), "time-limit")
            return
        await self._say(engine.opening(self._rule_book).say)
        self._spawn(watch_answered_by(lambda: self._effects.answered_by(self._call), self._on_machine,
                                      every=self._timing.amd_poll_seconds, for_seconds=self._timing.amd_watch_seconds,
                                      still_watching=self._machine_verdict_counts), "amd-watch")
        self._spawn(self._end_at_time_limit(), "time-limit")

    # --- callee turns ----------------------------------------------------------------------------------------

    async def _on_callee_turn(self, frame: LLMContextFrame) -> None:
        utterance, earlier = callee_turn(frame.context, self._started_at or clock.now())
        if not utterance or self._mode in ("ending", "voicemail"):
            return  # nothing said, or the call is past conversation: nothing goes to the model
        if getattr(frame, "speculation", False):
            # A provisional turn (voice.turn_taking.SpeculativeTurnStop): only a plain model turn may start early;
            # the rules act on the others once they are final.
            if self._mode == "talking" and self._leaves_to_model(utterance, earlier):
                self._started_early.add(normalised(utterance))
                self._turn_over_agent, self._cut_off_reply = False, ""
                await self.push_frame(frame)
            return
        self._started_early.clear()
        over_agent, self._turn_over_agent = self._turn_over_agent, False
        cut_off, self._cut_off_reply = self._cut_off_reply, ""
        if self._machine_verdict_counts() and sounds_like_greeting(utterance):
            self._spawn(self._on_machine(), "voicemail")
            return
        if self._mode == "holding":
            if phrases.is_opt_out(utterance):
                await self._act(OptOut(say_goodbye=engine.GOODBYE), utterance)
            return  # a holding callee's words start no model turn
        if over_agent and is_backchannel(utterance):
            if cut_off:
                await self._say(cut_off)  # "mm-hm" cut the agent off: pick up where it was, no model turn
            return
        if self._taking_message and not phrases.is_opt_out(utterance):
            self._taking_message = False
            self._mode = "ending"
            self._spawn(self._take_message(utterance), "message")
            return
        action = engine.next_action(self._rule_book, earlier, utterance, agent=StreamedAgent(), now=clock.now())
        if action is STREAMED_REPLY:
            await self.push_frame(frame)
        else:
            await self._act(action, utterance)

    def may_start_early(self, utterance: str) -> bool:
        """Whether the model may start on these words before the turn is over (they would go to it anyway)."""
        earlier = transcript_of(self._context, self._started_at or clock.now()) if self._context else Transcript()
        return self._mode == "talking" and self._leaves_to_model(utterance, earlier)

    def started_early(self, utterance: str) -> bool:
        """Whether these words were passed on to the model before the turn was over."""
        return normalised(utterance) in self._started_early

    def callee_turn_heard(self, utterance: str) -> None:
        """A callee turn ended with these words (every turn, including one the model was started on early)."""
        if self._mode in ("ending", "voicemail") or sounds_like_greeting(utterance):
            return
        self._callee_turns += 1
        self._note_callee(utterance)

    def _leaves_to_model(self, utterance: str, earlier: Transcript) -> bool:
        if sounds_like_greeting(utterance) or is_backchannel(utterance) or self._taking_message:
            return False
        return engine.next_action(self._rule_book, earlier, utterance, agent=StreamedAgent(),
                                  now=clock.now()) is STREAMED_REPLY

    def _note_callee(self, utterance: str) -> None:
        """A person spoke: reset the silence count; record that a human answered and any objection heard."""
        self._silences = 0
        self._last_utterance = utterance
        changes: dict[str, Any] = {}
        if not self._heard_human:
            self._heard_human = True
            changes["answered_by"] = "human"
        handler = matching_handler(self._rule_book, utterance)
        label = (handler.objection_id or handler.trigger) if handler else None
        if label and label not in self._objections:
            self._objections.append(label)
            changes["objections"] = list(self._objections)
        if changes:
            self._spawn(self._record(**changes), "record-callee")

    def agent_cut_off(self, spoken: str, intended: str) -> None:
        """The callee's turn interrupted the agent after it said `spoken` of `intended` (the pipeline tells)."""
        self._cut_off_reply = remainder(intended, spoken)

    def callee_turn_ended_empty(self) -> None:
        """A turn with no words (a cough, a noise) ended: if it cut the agent off, the agent picks up where it was."""
        cut_off, self._cut_off_reply = self._cut_off_reply, ""
        self._turn_over_agent = False
        if cut_off and self._mode == "talking":
            self._spawn(self._say(cut_off), "resume")

    async def _act(self, action: Action, utterance: str) -> None:
        if isinstance(action, (OptOut, End, RequestCallback, TransferToHuman)):
            self._mode = "ending"  # at once: no later turn may reach the model while the ending is under way
        if isinstance(action, TransferToHuman):
            self._spawn(self._transfer(action, utterance), "transfer")
        elif isinstance(action, OptOut):
            self._spawn(self._opt_out(action.say_goodbye), "opt-out")
        elif isinstance(action, End):
            self._spawn(self._finish(action.say, force=True, outcome=action.outcome), "end")
        elif isinstance(action, RequestCallback):
            self._spawn(self._callback(action, utterance), "callback")
        elif isinstance(action, ProposeConcession):
            self._begin_hold(action, utterance)
        elif isinstance(action, Continue):
            await self._say(action.say)  # the engine's own words (a granted or refused concession, no callbacks)

    # --- the model's tools (voice.tools.ToolActions) -----------------------------------------------------------

    async def end_call(self, outcome: str, say: str) -> str:
        if self._mode in ("ending", "voicemail"):
            return "The call is already ending."
        self._mode = "ending"
        self._spawn(self._finish(say or "Thank you for your time. Goodbye.", force=True, outcome=outcome), "end")
        return "Done: the goodbye is being said and the call ends."

    async def propose_concession(self, concession: ProposeConcession) -> str:
        action = engine.enforce(self._rule_book, concession)
        if not self._conversing():
            return "Not now: the callee is not in the conversation."
        if isinstance(action, ProposeConcession):
            self._begin_hold(action, self._last_utterance)
            return "A person must decide: the callee was asked to hold. Wait; the decision will be said."
        await self._say(action.say)
        return f"Said to the callee: {action.say}"

    async def request_callback(self, when_text: str) -> str:
        action = engine.enforce(self._rule_book, RequestCallback(when_text=when_text, say=""))
        if not self._conversing():
            return "Not now: the callee is not in the conversation."
        if isinstance(action, RequestCallback):
            self._mode = "ending"
            self._spawn(self._callback(action, self._last_utterance), "callback")
            return "The callback was passed on; the call ends."
        await self._say(action.say)
        return f"Said to the callee: {action.say}"

    async def transfer_to_human(self, reason: str) -> str:
        action = engine.enforce(self._rule_book, TransferToHuman(reason=reason or "asked to speak to a person",
                                                                 say=""))
        if not self._conversing():
            return "Not now: the callee is not in the conversation."
        if isinstance(action, TransferToHuman):
            self._mode = "ending"
            self._spawn(self._transfer(action, self._last_utterance), "transfer")
            return "The callee is being connected to a person; the call with you ends."
        await self._say(action.say)
        return f"Said to the callee: {action.say}"

    async def offer_blocked(self, concession: ProposeConcession) -> None:
        """The guard dropped a reply that named `concession` beyond the limit: the rules decide it instead."""
        if not self._conversing():
            return
        logger.warning("call %s: the model offered %s beyond the limit; held back", self._call.call_id,
                       concession.model_dump(exclude_none=True))
        await self._act(engine.enforce(self._rule_book, concession), self._last_utterance)

    # --- actions ---------------------------------------------------------------------------------------------

    async def _opt_out(self, goodbye: str) -> None:
        if self._agent_speaking:
            await self.broadcast_interruption()  # even the opener: they asked to stop, the goodbye comes at once
        try:
            await asyncio.to_thread(self._effects.opt_out, self._call)
        except Exception:
            logger.exception("call %s: the opt-out could not be written to the DNC list", self._call.call_id)
        await self._finish(goodbye, outcome="opted_out", force=True)

    async def _callback(self, action: RequestCallback, utterance: str) -> None:
        try:
            self._approval_ids.append(await asyncio.to_thread(self._effects.request_callback, self._call, action,
                                                              utterance))
        except Exception:
            logger.exception("call %s: the callback request could not be passed on", self._call.call_id)
        await self._finish(action.say, outcome="callback", force=True)

    async def _transfer(self, action: TransferToHuman, utterance: str) -> None:
        """Connect the callee to a person: say so, ask for the transfer (the whisper is composed meanwhile), then
        close the stream — the carrier dials the transfer number once it has closed (shared.transfers). Where the
        carrier cannot dial after its stream (Exotel) the agent takes a message instead."""
        self._mode = "ending"
        self._cancel_hold()
        dials = self._call.stream.carrier != "exotel"
        if dials:
            await self._say(action.say or engine.CONNECTING)
        transcript = transcript_of(self._context, self._started_at or clock.now()) if self._context else Transcript()
        try:
            status = await asyncio.to_thread(self._effects.request_transfer, self._call, transcript, action.reason)
        except Exception:
            logger.exception("call %s: the transfer could not be asked for", self._call.call_id)
            status = None
        if status == "requested":
            await self._finish("", force=True, outcome="transferred")
        elif status == "failed" or not dials:
            self._mode, self._taking_message = "talking", True
            await self._say(engine.TRANSFER_UNAVAILABLE)
        else:  # no transfer could be recorded (one already on this call): a callback instead
            await self._callback(RequestCallback(when_text="later", say=engine.TRANSFER_FAILED_CALLBACK), utterance)

    async def _take_message(self, message: str) -> None:
        """The callee's message for the person who did not answer: kept on the transfer, then a callback is proposed
        through the callback path (a human accepts it), or the call ends politely without callbacks."""
        try:
            await asyncio.to_thread(self._effects.take_transfer_message, self._call, message)
        except Exception:
            logger.exception("call %s: the transfer message could not be kept", self._call.call_id)
        when = phrases.when_text(message)
        action = engine.enforce(self._rule_book, RequestCallback(
            when_text=when, say=f"Thank you, I've noted your message, and I'll arrange for someone to call you back "
                                f"{when}. Goodbye."))
        if isinstance(action, RequestCallback):
            await self._callback(action, message)
        else:
            await self._finish(engine.MESSAGE_TAKEN, force=True, outcome="failed")

    def _begin_hold(self, concession: ProposeConcession, utterance: str) -> None:
        if not self._conversing():
            return  # already holding (one decision at a time), or past the conversation
        self._mode = "holding"  # at once: what the callee says from now on starts no model turn
        self._hold_task = self._spawn(self._hold(concession, utterance), "hold")

    async def _hold(self, concession: ProposeConcession, utterance: str) -> None:
        await self._say(concession.say_hold_message or engine.HOLD)
        try:
            approval_id = await asyncio.to_thread(self._effects.request_concession, self._call, concession, utterance)
        except Exception:
            logger.exception("call %s: the concession could not be put to a human", self._call.call_id)
            approval_id = None
        status = "expired"
        if approval_id is not None:
            self._approval_ids.append(approval_id)
            await self._record(pending_approval_id=approval_id, pending_concession=concession.model_dump(mode="json"),
                               approval_ids=list(self._approval_ids))
            status = await wait_for_decision(
                lambda: asyncio.to_thread(self._effects.approval_status, self._call, approval_id),
                lambda: self._say(engine.STILL_CHECKING), lambda: self._last_spoke,
                poll_seconds=self._timing.approval_poll_seconds, reminder_seconds=self._timing.hold_reminder_seconds,
                give_up_after=CONCESSION_APPROVAL_TTL_SECONDS + 30)
        if self._mode != "holding":
            return  # the call ended meanwhile (an opt-out, the time limit)
        if status == "transfer":  # a human chose to take the call over instead of answering
            if approval_id is not None:
                self._spawn(self._record(pending_approval_id=None, pending_concession=None), "record-decision")
            transfer = engine.transfer_on_approval(self._rule_book)
            if transfer is not None:
                await self._transfer(transfer, utterance)
                return
            status = "denied"
        if status == "approved":
            self.limits.approve(concession)  # the agent (and the model) may name it from now on
        self._mode = "talking"
        if approval_id is not None:
            self._spawn(self._record(pending_approval_id=None, pending_concession=None), "record-decision")
        await self._say(engine.after_decision(self._rule_book, concession, approved=status == "approved").say)

    async def _on_machine(self) -> None:
        """An answering machine: stop talking, wait for the greeting (and its beep) to end, then leave the rule
        book's voicemail — or hang up."""
        if self._mode in ("ending", "voicemail"):
            return
        self._mode = "voicemail"
        self._cancel_hold()
        await self.broadcast_interruption()  # the opener stops and the carrier drops what it buffered
        await self._record(outcome="voicemail", answered_by="machine")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timing.greeting_wait_seconds
        while loop.time() < deadline and (self._callee_speaking or time.monotonic() - self._callee_quiet_since
                                          < self._timing.greeting_quiet_seconds):
            await asyncio.sleep(0.05)
        voicemail = engine.on_machine(self._rule_book)
        await self._finish(voicemail.message or "", force=True)

    async def _end_at_time_limit(self) -> None:
        elapsed = (clock.now() - self._started_at).total_seconds() if self._started_at else 0.0
        await asyncio.sleep(max(0.0, self._rule_book.max_call_seconds - elapsed))
        if self._mode not in ("ending", "voicemail"):
            await self._finish(engine.OUT_OF_TIME, outcome="failed")

    def callee_silent(self) -> None:
        """The callee said nothing for a while after the agent spoke (pipecat's user idle timeout)."""
        self._spawn(self._on_callee_silent(), "silence")

    async def _on_callee_silent(self) -> None:
        if self._mode != "talking" or self._agent_speaking:
            return  # a holding callee is quiet on purpose; the opener and the farewell are not waiting for them
        self._silences += 1
        if self._silences == 1:
            await self._say(engine.STILL_THERE)
        else:
            await self._finish(engine.NO_RESPONSE, outcome="no_response")

    async def _finish(self, say: str, *, force: bool = False, **outcome: Any) -> None:
        """Record the outcome (before the farewell: the carrier's `completed` may reach the call-events consumer
        first), say the farewell with the floor held, and end the call once it has been said."""
        if self._mode == "ending" and not force:
            return
        self._mode = "ending"
        self._cancel_hold()
        if outcome:
            await self._record(**outcome, **self._settled_fields())
        if say:
            await self._say(say)
        await self.push_frame(EndWorkerFrame(), FrameDirection.UPSTREAM)

    def _settled_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"objections": list(self._objections), "approval_ids": list(self._approval_ids)}
        if self._heard_human:
            fields["answered_by"] = "human"
        return fields

    # --- keypad ----------------------------------------------------------------------------------------------

    async def _keys_entered(self, keys: str) -> None:
        if self._mode in ("ending", "voicemail"):
            return
        self._note_callee(f"(pressed {keys})")
        self._callee_turns += 1
        if keys == OPT_OUT_KEY:
            await self._act(OptOut(say_goodbye=engine.GOODBYE), f"(pressed {keys})")
        elif self._mode in ("opening", "talking") and self._context is not None:
            # Handed to the model as a turn of its own (it may have asked for a choice or a number).
            self._context.add_message({"role": "user", "content": f"(The callee pressed {' '.join(keys)} on the "
                                                                   "keypad.)"})
            await self.push_frame(LLMContextFrame(context=self._context))

    # --- helpers ---------------------------------------------------------------------------------------------

    async def _say(self, text: str) -> None:
        self._last_spoke = time.monotonic()
        await self.push_frame(TTSSpeakFrame(text))

    async def _record(self, **changes: Any) -> None:
        try:
            await asyncio.to_thread(self._effects.record, self._call, **changes)
        except Exception:  # the call goes on; the end-of-call write and the status events still settle it
            logger.exception("call %s: %s could not be written", self._call.call_id, ", ".join(changes))

    def _conversing(self) -> bool:
        return self._mode in ("opening", "talking")

    def _machine_verdict_counts(self) -> bool:
        return (self._mode not in ("ending", "voicemail") and not self._taking_message
                and self._callee_turns < MACHINE_VERDICT_TURNS
                and time.monotonic() - self._started < self._timing.amd_watch_seconds)

    def _cancel_hold(self) -> None:
        if self._hold_task is not None and self._hold_task is not asyncio.current_task():
            self._hold_task.cancel()
        self._hold_task = None

    def _spawn(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task:
        task = self.create_task(work, name=f"{self}::{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def cleanup(self) -> None:
        await super().cleanup()
        for task in list(self._tasks):  # the watchers and timers outlive nothing: the call is over
            await self.cancel_task(task)
