"""A local fake of Anthropic's `POST /v1/messages`, over real HTTP (the SDK is not plain httpx, so it
cannot be mocked at the transport; FACTS.md).

Script the answers in order with `answer_tool(input)`, `answer_status(status)`, `answer_text(text)` or
`answer_slowly(seconds)`; each request takes the next answer (the last one repeats). Every request is
recorded (`requests`: headers and parsed JSON body) so tests can assert what the adapter sent.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import LocalHttpFake, QuietHandler


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class _Answer:
    status: int = 200
    content: list[dict[str, Any]] = field(default_factory=list)
    delay_seconds: float = 0.0


class FakeAnthropicApi(LocalHttpFake):
    block_on_close = False  # a deliberately slow answer must not hold up teardown

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._answers: list[_Answer] = []
        super().__init__()

    def answer_tool(self, tool_input: Any, name: str = "submit_rule_book") -> None:
        self._answers.append(_Answer(content=[{"type": "tool_use", "id": "toolu_01", "name": name,
                                               "input": tool_input}]))

    def answer_text(self, text: str) -> None:
        self._answers.append(_Answer(content=[{"type": "text", "text": text}]))

    def answer_status(self, status: int) -> None:
        self._answers.append(_Answer(status=status))

    def answer_slowly(self, seconds: float, tool_input: Any = None) -> None:
        self._answers.append(_Answer(content=[{"type": "tool_use", "id": "toolu_01", "name": "submit_rule_book",
                                               "input": tool_input or {}}], delay_seconds=seconds))

    def _next_answer(self) -> _Answer:
        index = min(len(self.requests) - 1, len(self._answers) - 1)
        return self._answers[index]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.read_body() or b"{}")
                fake.requests.append(RecordedRequest(self.path, self.lower_headers(), body))
                answer = fake._next_answer()
                time.sleep(answer.delay_seconds)
                if answer.status != 200:
                    payload = {"type": "error", "error": {"type": "api_error", "message": f"fake {answer.status}"}}
                else:
                    payload = {"id": "msg_fake", "type": "message", "role": "assistant", "model": body.get("model"),
                               "content": answer.content, "stop_reason": "tool_use", "stop_sequence": None,
                               "usage": {"input_tokens": 10, "output_tokens": 10}}
                self.send_json(answer.status, payload)

        return Handler
