"""A local fake of Anthropic's streaming Messages API (`POST /v1/messages` with `"stream": true`), over real HTTP.

It answers Server-Sent Events in the documented order — `message_start`, `content_block_start`, `ping`,
`content_block_delta` (`text_delta`) per word, `content_block_stop`, `message_delta` (stop reason, usage),
`message_stop` — after `first_token_delay_seconds` (time to first token; a fast Claude model: ~350 ms).
Replies are scripted in order (the last one repeats); every request's body and headers are recorded, so tests can
assert what the model was asked, and with whose key (pipecat calls `client.beta.messages.create`, i.e.
`/v1/messages?beta=true`).
A reply may call a tool: `ToolUse(name, input, text="")` streams its text block (if any), then a `tool_use`
block whose input arrives as `input_json_delta` chunks, and stops with `stop_reason: "tool_use"` — as Claude does.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import LocalHttpFake, QuietHandler


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: dict[str, Any] = field(default_factory=dict)
    text: str = ""


class FakeAnthropicStreaming(LocalHttpFake):
    block_on_close = False

    def __init__(self, replies: list[str | ToolUse], *, first_token_delay_seconds: float = 0.0,
                 seconds_between_tokens: float = 0.0) -> None:
        self.replies = list(replies)
        self.first_token_delay_seconds = first_token_delay_seconds
        self.seconds_between_tokens = seconds_between_tokens
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []  # lower-cased names: whose key each request carried
        self.request_times: list[float] = []
        super().__init__()

    def user_messages(self) -> list[str]:
        """The text of the last user message of each request."""
        return [_text(request["messages"][-1]) for request in self.requests if request.get("messages")]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.read_body() or b"{}")
                fake.requests.append(body)
                fake.request_headers.append({name.lower(): value for name, value in self.headers.items()})
                fake.request_times.append(time.monotonic())
                reply = fake.replies[min(len(fake.requests), len(fake.replies)) - 1] if fake.replies else "Okay."
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                try:
                    for event in _events(body.get("model", "claude"), reply, fake):
                        self.wfile.write(event)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: an interruption
                self.close_connection = True

        return Handler


def _events(model: str, reply: str | ToolUse, fake: FakeAnthropicStreaming):
    def event(kind: str, data: dict[str, Any]) -> bytes:
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()

    tool = reply if isinstance(reply, ToolUse) else None
    text = tool.text if tool else reply
    yield event("message_start", {"message": {
        "id": "msg_fake_01", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 25, "output_tokens": 1}}})
    time.sleep(fake.first_token_delay_seconds)
    index, words = 0, text.split(" ") if text else []
    if words:
        yield event("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}})
        yield event("ping", {})
        for position, word in enumerate(words):
            delta = word if position == 0 else f" {word}"
            yield event("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": delta}})
            time.sleep(fake.seconds_between_tokens)
        yield event("content_block_stop", {"index": index})
        index += 1
    if tool is not None:
        yield event("content_block_start", {"index": index, "content_block": {
            "type": "tool_use", "id": f"toolu_fake_{len(fake.requests):02d}", "name": tool.name, "input": {}}})
        arguments = json.dumps(tool.input)
        for start in range(0, len(arguments), 12):  # the input arrives in pieces, as partial JSON
            yield event("content_block_delta", {"index": index, "delta": {
                "type": "input_json_delta", "partial_json": arguments[start:start + 12]}})
        yield event("content_block_stop", {"index": index})
    yield event("message_delta", {"delta": {"stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None},
                                  "usage": {"output_tokens": len(words) + (5 if tool else 0)}})
    yield event("message_stop", {})


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content or [] if isinstance(part, dict))
