"""The sandbox stand-in for Claude: the deterministic ScriptedSandboxAgent, as a streaming pipecat LLM service.

It sits where Claude sits (after the brain, before the TTS) and answers each `LLMContextFrame` as Claude would:
- `Continue` → the words streamed (`LLMFullResponseStartFrame`, one `LLMTextFrame` per word, `LLMFullResponseEndFrame`),
  so the TTS speaks the first sentence while the rest still arrives;
- `End`, `ProposeConcession`, `RequestCallback` → a tool call through pipecat's own function-calling path
  (`run_function_calls`), with the tool names and arguments Claude is given (voice/tools.py): `end_call`,
  `propose_concession`, `request_callback`; the handlers the brain registers decide what happens.
When a tool's result comes back for another inference, it speaks the result's `say` if it has one, else nothing
(the scripted agent has no opinion on a tool's result).

The engine's deterministic rules (opt-out, callback asks, a requested percent, the call's limits) are applied by
the brain before the model is asked, so this answers only what reaches a model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from dataclasses import fields
from typing import Any

from pipecat.frames.frames import (
    Frame,
    FunctionCallFromLLM,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.llm_service import LLMService
from pipecat.services.settings import LLMSettings

from shared.callbacks.models import CallbackBrief
from shared.conversation.callback_lines import first_reply_line
from shared.conversation.models import Action, Agent, Continue, End, ProposeConcession, RequestCallback, Transcript
from shared.conversation.scripted_agent import ScriptedSandboxAgent
from shared.platform import clock
from shared.workflows.rule_book import RuleBook

logger = logging.getLogger("callfunnel.voice.sandbox")

#: The tools of INTERFACES item 5 (voice/tools.py registers their handlers on the LLM service).
END_CALL, PROPOSE_CONCESSION, REQUEST_CALLBACK = "end_call", "propose_concession", "request_callback"
ASK_TO_REPEAT = "Sorry, I didn't catch that. Could you say it again?"
_INSTRUCTIONS = ("developer", "system")
_WORDS = re.compile(r"\S+\s*")


class SandboxLLM(LLMService):
    def __init__(self, *, rule_book: RuleBook, agent: Agent | None = None, seconds_per_word: float = 0.0,
                 callback: CallbackBrief | None = None, **kwargs) -> None:
        """`seconds_per_word`: a pause between streamed words (0: as fast as the pipeline takes them); `callback`: on
        a callback call, the first reply starts by thanking the callee for taking the call they asked for."""
        unsupported = {spec.name: None for spec in fields(LLMSettings) if spec.name not in ("extra", "model")}
        super().__init__(settings=LLMSettings(**{**unsupported, "model": "scripted-sandbox-agent"}), **kwargs)
        self._rule_book = rule_book
        self._agent = agent or ScriptedSandboxAgent()
        self._seconds_per_word = seconds_per_word
        self._callback_reminder = first_reply_line(callback) if callback else ""

    def can_generate_metrics(self) -> bool:
        return True

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await self._answer(frame.context)
        else:
            await self.push_frame(frame, direction)

    async def _answer(self, context: LLMContext) -> None:
        messages = [message for message in context.get_messages() if isinstance(message, dict)]
        last = messages[-1] if messages else {}
        if last.get("role") == "tool":
            await self._speak(_said_by_tool(last.get("content")))
            return
        if last.get("role") in _INSTRUCTIONS:
            # pipecat's note on a turn the STT heard nothing in, while the agent spoke: ask the callee to repeat.
            await self._speak(ASK_TO_REPEAT)
            return
        utterance, transcript = callee_turn(messages)
        if not utterance:
            return  # nothing the callee said is waiting for an answer
        action = self._agent.propose(self._rule_book, transcript, utterance)
        say, call = with_reminder(*tool_call_for(action), self._callback_reminder)
        self._callback_reminder = ""  # once, in the first reply
        await self._speak(say, [FunctionCallFromLLM(function_name=name, tool_call_id=f"sandbox_{uuid.uuid4().hex}",
                                                    arguments=arguments, context=context)
                                for name, arguments in call])

    async def _speak(self, text: str, function_calls: list[FunctionCallFromLLM] | None = None) -> None:
        if not text and not function_calls:
            return
        await self.push_frame(LLMFullResponseStartFrame())
        await self.start_processing_metrics()
        await self.start_ttfb_metrics()
        try:
            for index, word in enumerate(_WORDS.findall(text)):
                if index == 0:
                    await self.stop_ttfb_metrics()
                elif self._seconds_per_word:
                    await asyncio.sleep(self._seconds_per_word)
                await self._push_llm_text(word)
            await self.stop_ttfb_metrics()
            await self.run_function_calls(function_calls or [])
        finally:
            await self.stop_processing_metrics()
            await self.push_frame(LLMFullResponseEndFrame())


def tool_call_for(action: Action) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """What the model says first, and the tool it calls (if any), for one of the agent's actions."""
    if isinstance(action, Continue):
        return action.say, []
    if isinstance(action, End):
        return "", [(END_CALL, {"outcome": action.outcome, "say": action.say})]
    if isinstance(action, ProposeConcession):
        return action.say_hold_message, [(PROPOSE_CONCESSION, {"kind": action.kind, "percent": action.percent,
                                                               "value_minor": action.value_minor})]
    if isinstance(action, RequestCallback):
        return action.say, [(REQUEST_CALLBACK, {"when_text": action.when_text})]
    # OptOut and Voicemail are the engine's and the brain's to act on, never a model's.
    logger.warning("the sandbox agent proposed %s: not a model's action, ignored", action.type)
    return "", []


def with_reminder(say: str, calls: list[tuple[str, dict[str, Any]]],
                  reminder: str) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """The reply with `reminder` said first: before its words, or before the words its tool call says (an end)."""
    if not reminder:
        return say, calls
    if say or not calls or not calls[0][1].get("say"):
        return f"{reminder} {say}".strip(), calls
    (name, arguments), *rest = calls
    return say, [(name, {**arguments, "say": f"{reminder} {arguments['say']}"}), *rest]


def callee_turn(messages: list[dict[str, Any]]) -> tuple[str, Transcript]:
    """The callee's latest words (when they are the last message) and the conversation before them."""
    if not messages or messages[-1].get("role") != "user":
        return "", Transcript()
    turns = [(message["role"], _text(message.get("content")).strip()) for message in messages
             if message.get("role") in ("user", "assistant")]
    turns = [(role, text) for role, text in turns if text]  # a tool call carries no words
    if not turns or turns[-1][0] != "user":
        return "", Transcript()
    now, transcript = clock.now(), Transcript()
    for role, text in turns[:-1]:
        transcript = transcript.add("agent" if role == "assistant" else "callee", text, now)
    return turns[-1][1], transcript


def _said_by_tool(content: object) -> str:
    """A tool result's `say` (a JSON object's), if the handler gave the model words to say."""
    try:
        result = json.loads(content) if isinstance(content, str) else content
    except ValueError:
        return ""
    say = result.get("say") if isinstance(result, dict) else None
    return say if isinstance(say, str) else ""


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""
