"""Claude adapter of the rule-book generator: the official `anthropic` SDK, structured output through
one tool whose input schema is the rule book's JSON schema.

`import anthropic` costs over a second (FACTS.md), so it happens inside `generate`, never at import.
Every call this generator makes for one request — the first generation, a retry, the repair
round-trip — shares one deadline under API Gateway's 29 s (a generator is made per request): the
SDK's own retries are off (they would reuse the full timeout and honour long Retry-After waits) and
we retry once, only after a quick failure, with whatever time is left. A repair that no longer fits
answers the validator's 422 instead of timing out.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from pydantic import ValidationError

from shared.platform import clock
from shared.platform.errors import Invalid, Upstream
from shared.platform.observability import get_logger
from shared.providers.llm import anthropic_prompt as prompt
from shared.workflows.ports import GeneratedRuleBook, GenerationRequest, RuleBook, RuleBookMetadata

DEADLINE_SECONDS = 24.0
MIN_SECONDS_FOR_RETRY = 5.0
MAX_TOKENS = 8_000
# Models that reject a forced tool_choice (their thinking cannot be switched off): they get the tool
# with tool_choice "auto" and the system prompt's instruction to call it.
_NO_FORCED_TOOL = ("claude-opus-5-5", "claude-fable-5", "claude-mythos-5")


class AnthropicRuleBookGenerator:
    name = "anthropic"

    def __init__(self, api_key: str, model: str, base_url: str | None = None,
                 deadline_seconds: float = DEADLINE_SECONDS) -> None:
        self._api_key = api_key
        self._model = model
        self._base_url = base_url
        self._deadline_seconds = deadline_seconds
        self._deadline: float | None = None  # set by the first call; shared by the repair round-trip

    def generate(self, request: GenerationRequest) -> GeneratedRuleBook:
        if self._deadline is None:
            self._deadline = time.monotonic() + self._deadline_seconds
        elif request.problems and self._deadline - time.monotonic() < MIN_SECONDS_FOR_RETRY:
            raise Invalid("The generated rule book breaks the rules and there was no time left to repair it",
                          code="RULE_BOOK_INVALID", field=request.problems[0].field,
                          errors=[{"field": p.field, "message": p.message} for p in request.problems])
        tool_input = dict(self._call_claude(self._request_body(request)))
        name = prompt.workflow_name(tool_input.pop(prompt.NAME_FIELD, None))
        try:
            rule_book = RuleBook.model_validate(tool_input)
        except ValidationError as error:
            raise _unreadable(error) from error
        return GeneratedRuleBook(rule_book.model_copy(update={"metadata": RuleBookMetadata(
            generator="anthropic", model=self._model, generated_at=clock.now_seconds(),
            prompt_sha256=hashlib.sha256(request.prompt.encode()).hexdigest())}), name)

    def _request_body(self, request: GenerationRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "max_tokens": MAX_TOKENS,
            "system": prompt.system_prompt(request),
            "messages": prompt.messages(request),
            "tools": [{"name": prompt.TOOL_NAME, "description": prompt.TOOL_DESCRIPTION,
                       "input_schema": prompt.tool_input_schema(RuleBook.model_json_schema())}],
        }
        if self._model.startswith(_NO_FORCED_TOOL):
            body["tool_choice"] = {"type": "auto"}
        else:
            # A forced tool needs thinking off; it also keeps the latency inside the deadline.
            body["tool_choice"] = {"type": "tool", "name": prompt.TOOL_NAME}
            body["thinking"] = {"type": "disabled"}
        return body

    def _call_claude(self, body: dict[str, Any]) -> dict[str, Any]:
        import anthropic

        client = anthropic.Anthropic(api_key=self._api_key, base_url=self._base_url, max_retries=0)
        deadline = self._deadline
        for attempt in (1, 2):
            remaining = deadline - time.monotonic()
            started = time.monotonic()
            try:
                message = client.messages.create(**body, timeout=max(remaining, 0.1))
            except anthropic.APIError as error:
                failure = _mapped(error)
                quick = time.monotonic() - started < MIN_SECONDS_FOR_RETRY
                retry = (attempt == 1 and failure.code == "LLM_UNAVAILABLE" and quick
                         and deadline - time.monotonic() > MIN_SECONDS_FOR_RETRY)
                get_logger().warning("claude call failed", extra={"error_type": type(error).__name__,
                                                                  "attempt": attempt, "will_retry": retry})
                if not retry:
                    raise failure from error
                time.sleep(0.2)
                continue
            return _tool_input(message)
        raise AssertionError("unreachable: the second attempt returns or raises")


def _tool_input(message: Any) -> dict[str, Any]:
    for block in message.content:
        if getattr(block, "type", None) == "tool_use" and block.name == prompt.TOOL_NAME:
            if not isinstance(block.input, dict):
                break
            return block.input
    get_logger().warning("claude answered without the tool", extra={"stop_reason": message.stop_reason})
    raise Upstream("The rule-book generator returned no rule book", code="LLM_BAD_RESPONSE")


def _mapped(error: Exception) -> Upstream:
    import anthropic

    if isinstance(error, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return Upstream("The rule-book generator rejected our credentials", code="LLM_AUTH_FAILED")
    if isinstance(error, anthropic.APIConnectionError | anthropic.RateLimitError | anthropic.InternalServerError):
        return Upstream("The rule-book generator is unavailable; try again shortly", code="LLM_UNAVAILABLE")
    if isinstance(error, anthropic.APIStatusError) and error.status_code >= 500:
        return Upstream("The rule-book generator is unavailable; try again shortly", code="LLM_UNAVAILABLE")
    return Upstream("The rule-book generator refused the request", code="LLM_REQUEST_REJECTED")


def _unreadable(error: ValidationError) -> Invalid:
    problems = [{"field": ".".join(str(part) for part in problem["loc"]) or "rule_book", "message": problem["msg"]}
                for problem in error.errors()]
    return Invalid(f"The generated rule book is not readable ({len(problems)} problems)", code="RULE_BOOK_INVALID",
                   field=problems[0]["field"] if problems else None, errors=problems)
