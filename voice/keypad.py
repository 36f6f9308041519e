"""The callee's keypad (DTMF): keys pressed within `gap_seconds` of each other are one entry, and `#` ends an entry
at once. Each entry is handed on whole (`on_entry`), so "1", "2" becomes one turn "1 2", not two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

END_OF_ENTRY = "#"

Spawn = Callable[[Coroutine[Any, Any, Any], str], asyncio.Task]


class Keypad:
    def __init__(self, gap_seconds: float, on_entry: Callable[[str], Awaitable[None]], spawn: Spawn) -> None:
        """`spawn` runs the wait for the next key in the owner's task manager (cancelled with the call)."""
        self._gap = gap_seconds
        self._on_entry = on_entry
        self._spawn = spawn
        self._keys = ""
        self._waiting: asyncio.Task | None = None

    def press(self, key: str) -> None:
        if self._waiting is not None:
            self._waiting.cancel()
        if key != END_OF_ENTRY:
            self._keys += key
        self._waiting = self._spawn(self._entry_after(0 if key == END_OF_ENTRY else self._gap), "keypad")

    async def _entry_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        keys, self._keys = self._keys, ""
        if keys:
            await self._on_entry(keys)
