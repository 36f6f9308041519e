"""The scaffolding the streaming provider fakes share: a real WebSocket server (the `websockets` library) on
127.0.0.1, on a free port, with its own event loop in a daemon thread, so the code under test (another loop)
talks to it over a real socket exactly as to the provider. `with fake:` serves; leaving stops it.
"""

from __future__ import annotations

import asyncio
import threading
from abc import ABC, abstractmethod
from typing import Self

from websockets.asyncio.server import ServerConnection, serve


class LocalWebSocketFake(ABC):
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None
        self.port = 0

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        async def start():
            return await serve(self._serve, "127.0.0.1", 0, max_size=None)

        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(start(), self._loop).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @abstractmethod
    async def _serve(self, connection: ServerConnection) -> None:
        """Answer one client connection (runs on the fake's own loop)."""
