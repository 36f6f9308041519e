"""A pipecat LLM service that answers from a script: streamed words, and tool calls through pipecat's own
function-calling path (`run_function_calls`, as Claude's service and the sandbox's stand-in make them).

Each `LLMContextFrame` takes the next reply of the script (an empty reply when it runs out): a string is streamed
word by word between `LLMFullResponseStartFrame` and `LLMFullResponseEndFrame`; a `ToolCall` is called after the
words (`Reply(say=…, tool=…)`). Every context it was asked with is kept (`asked`), so tests can assert what the
model got — and what it never got.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field, fields
from typing import Any

from pipecat.frames.frames import (
    Frame,
    FunctionCallFromLLM,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.llm_service import LLMService
from pipecat.services.settings import LLMSettings

_WORDS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    say: str = ""
    tool: ToolCall | None = None


class ScriptedModel(LLMService):
    def __init__(self, replies: list[Reply | str], *, seconds_per_word: float = 0.0) -> None:
        unset = {spec.name: None for spec in fields(LLMSettings) if spec.name not in ("extra", "model")}
        super().__init__(settings=LLMSettings(**{**unset, "model": "scripted"}))
        self.replies = [Reply(say=reply) if isinstance(reply, str) else reply for reply in replies]
        self.seconds_per_word = seconds_per_word
        self.asked: list[list[dict[str, Any]]] = []

    def last_user_messages(self) -> list[str]:
        """The last user message of each request, as text."""
        return [next((str(message.get("content")) for message in reversed(messages) if message.get("role") == "user"),
                     "") for messages in self.asked]

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            self.asked.append([dict(message) for message in frame.context.get_messages() if isinstance(message, dict)])
            reply = self.replies.pop(0) if self.replies else Reply()
            await self._answer(reply, frame)
        else:
            await self.push_frame(frame, direction)

    async def _answer(self, reply: Reply, frame: LLMContextFrame) -> None:
        await self.push_frame(LLMFullResponseStartFrame())
        try:
            for index, word in enumerate(_WORDS.findall(reply.say)):
                if index and self.seconds_per_word:
                    await asyncio.sleep(self.seconds_per_word)
                await self._push_llm_text(word)
            if reply.tool is not None:
                await self.run_function_calls([FunctionCallFromLLM(
                    function_name=reply.tool.name, tool_call_id=f"toolu_{uuid.uuid4().hex[:12]}",
                    arguments=reply.tool.arguments, context=frame.context)])
        finally:
            await self.push_frame(LLMFullResponseEndFrame())
