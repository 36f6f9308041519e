"""Claude as the conversation agent: the official SDK, one forced tool `next_action` whose input is one
`Action` (see shared/conversation/models.py).

A caller is waiting on the line, so one short attempt (no SDK retries, ~6 s) and any failure — an API
error, a timeout, an answer without the tool, an unreadable action — becomes a safe "could you say that
again?" instead of an exception. `import anthropic` costs over a second (FACTS.md): it happens inside
`propose`, never at import. The engine enforces the rule book on whatever this proposes.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.conversation.models import Action, ActionChoice, Continue, RuleBook, Transcript
from shared.platform.observability import get_logger
from shared.providers.llm import anthropic_agent_prompt as prompt

TIMEOUT_SECONDS = 6.0
MAX_TOKENS = 400
SAY_AGAIN = "Sorry, could you say that again?"


class AnthropicAgent:
    name = "anthropic"

    def __init__(self, api_key: str, model: str, base_url: str | None = None,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._api_key = api_key
        self._model = model
        self._base_url = base_url
        self._timeout_seconds = timeout_seconds
        self._client: Any = None  # made on first use, reused across the turns of a call

    def propose(self, rule_book: RuleBook, transcript: Transcript, utterance: str) -> Action:
        import anthropic

        try:
            message = self._messages().create(**self.request_body(rule_book, transcript, utterance),
                                              timeout=self._timeout_seconds)
        except anthropic.APIError as error:
            get_logger().warning("claude turn failed", extra={"error_type": type(error).__name__})
            return Continue(say=SAY_AGAIN)
        return _action(message)

    def request_body(self, rule_book: RuleBook, transcript: Transcript, utterance: str) -> dict[str, Any]:
        return {
            "model": self._model,
            "max_tokens": MAX_TOKENS,
            "system": prompt.system_prompt(rule_book),
            "messages": [{"role": "user", "content": prompt.user_message(transcript, utterance)}],
            "tools": [{"name": prompt.TOOL_NAME, "description": prompt.TOOL_DESCRIPTION,
                       "input_schema": ActionChoice.model_json_schema(mode="serialization")}],
            # Forced tool needs thinking off; it also keeps the turn fast.
            "tool_choice": {"type": "tool", "name": prompt.TOOL_NAME},
            "thinking": {"type": "disabled"},
        }

    def _messages(self) -> Any:
        if self._client is None:
            import anthropic

            self._client = anthropic.Anthropic(api_key=self._api_key, base_url=self._base_url, max_retries=0)
        return self._client.messages


def _action(message: Any) -> Action:
    for block in message.content:
        if getattr(block, "type", None) == "tool_use" and block.name == prompt.TOOL_NAME:
            try:
                return ActionChoice.model_validate(block.input).action
            except ValidationError as error:
                get_logger().warning("claude turn unreadable", extra={"problems": len(error.errors())})
                return Continue(say=SAY_AGAIN)
    get_logger().warning("claude turn without the tool", extra={"stop_reason": getattr(message, "stop_reason", None)})
    return Continue(say=SAY_AGAIN)
