"""Runs catalog functions in-process, as a Lambda execution environment would.

One invocation at a time for the whole process: a Lambda environment never runs two events at once,
and the functions rely on it (Powertools keeps the current event on the resolver class, the Logger's
keys are shared). Handlers are imported on first use and kept, like a warm container.
"""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.catalog import LambdaFunction

Handler = Callable[[dict[str, Any], Any], Any]


class RuntimeBusy(Exception):
    """Another invocation held the runtime for longer than this function may wait."""


@dataclass(frozen=True)
class LocalLambdaContext:
    """The attributes of the Python runtime's context object that code and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started_at: float = field(default_factory=time.monotonic)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[$LATEST]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started_at
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


class LocalLambdaRuntime:
    def __init__(self, *, region: str, account_id: str) -> None:
        self._region = region
        self._account_id = account_id
        self._handlers: dict[str, Handler] = {}
        self._invocation_lock = threading.Lock()

    def invoke(self, function: LambdaFunction, event: dict[str, Any]) -> Any:
        handler = self._handler(function)
        # A handler that calls this stack synchronously would otherwise wait forever for itself.
        if not self._invocation_lock.acquire(timeout=function.timeout_seconds):
            raise RuntimeBusy(f"{function.name} waited {function.timeout_seconds} s for another invocation")
        try:
            return handler(event, self._context(function))
        finally:
            self._invocation_lock.release()

    def _handler(self, function: LambdaFunction) -> Handler:
        if function.name not in self._handlers:
            module = importlib.import_module(function.module)
            self._handlers[function.name] = getattr(module, function.entry_point)
        return self._handlers[function.name]

    def _context(self, function: LambdaFunction) -> LocalLambdaContext:
        return LocalLambdaContext(
            function_name=function.name,
            invoked_function_arn=f"arn:aws:lambda:{self._region}:{self._account_id}:function:{function.name}",
            memory_limit_in_mb=function.memory_mb,
            timeout_seconds=function.timeout_seconds,
        )
