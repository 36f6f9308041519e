"""The voice plane on the laptop: `voice.server`'s app under uvicorn, on a daemon thread of `python -m infra_local`.

It must share the process: moto is in-process, and the voice plane reads the call, spends its media token and
keeps the transcript and recording in that same moto. Its services are the sandbox stand-ins for Deepgram, Claude
and Cartesia on sandbox calls (`voice.services.voice_services`), fed the words the sandbox callee says
(`callee_lines`: the carrier registers them as it streams them). Transport, serializer, VAD, turn detection,
interruptions and recording are the production ones.

Its port is bound first (`bind()`: a port in use stops the stack at once, like the API's), but pipecat costs ~0.7 s of
CPU to import (onnxruntime, numba…): `start()` does that on the voice plane's own thread once the API serves, so the
API's readiness does not wait for it. A call that reaches its `<Connect><Stream>` before the voice plane accepts
sockets waits for it (`wait_until_ready`).
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from typing import Any

from infra_local.sandbox_media_stream import StreamUnavailable

#: pipecat logs through loguru at DEBUG unless told otherwise: every turn's whole LLM context, many lines a second
#: per call. The laptop console keeps one line per API request; pipecat's warnings and errors still show.
PIPECAT_LOG_LEVEL = "WARNING"
STARTUP_TIMEOUT_SECONDS = 60.0
SHUTDOWN_TIMEOUT_SECONDS = 10.0
#: In-flight calls get this long to end when the stack stops (uvicorn closes their sockets with 1012 after it).
GRACEFUL_SHUTDOWN_SECONDS = 3


class VoicePlaneUnavailable(StreamUnavailable):
    """The voice plane failed to start, or is still not up: a call's stream cannot open."""


class LocalVoicePlane:
    def __init__(self, host: str, port: int, callee_lines: Any) -> None:
        self.host, self.port = host, port
        self._callee_lines = callee_lines
        self._socket: socket.socket | None = None
        self._server: Any = None
        self._failure: str | None = None
        self._thread = threading.Thread(target=self._serve, name="voice-plane", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def bind(self) -> None:
        """Take the port now (OSError when it is in use), so the stack can refuse to start before it serves."""
        self._socket = socket.create_server((self.host, self.port))

    def start(self) -> None:
        """Import pipecat and serve, on the voice plane's own thread."""
        if self._socket is None:
            self.bind()
        self._thread.start()

    def wait_until_ready(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        """Block until the voice plane accepts sockets; VoicePlaneUnavailable if it failed or takes too long."""
        deadline = time.monotonic() + timeout
        while not (self._server is not None and self._server.started):
            if self._failure is not None or not self._thread.is_alive():
                raise VoicePlaneUnavailable(f"the voice plane is not running: {self._failure or 'it stopped'}")
            if time.monotonic() > deadline:
                raise VoicePlaneUnavailable(f"the voice plane did not start within {timeout:.0f} s")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(SHUTDOWN_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()

    def _serve(self) -> None:
        try:
            self._server = self._build_server()
            self._server.run(sockets=[self._socket])
        except Exception as error:
            self._failure = f"{type(error).__name__}: {error}"
            raise  # the thread's excepthook prints the traceback on the console

    def _build_server(self) -> Any:
        import uvicorn
        from loguru import logger

        from voice.server import create_app
        from voice.services import voice_services

        logger.remove()
        logger.add(sys.stderr, level=PIPECAT_LOG_LEVEL)
        callee_lines = self._callee_lines
        app = create_app(services=lambda: voice_services(callee_lines=callee_lines))
        # Served as `python -m voice` serves it: no access log (it would print `?token=` media tokens; RULES: never
        # log tokens), no permessage-deflate (base64 audio hardly compresses). uvicorn installs no signal handlers
        # off the main thread: Ctrl-C belongs to `python -m infra_local`, which stops it.
        config = uvicorn.Config(app, ws="websockets-sansio", ws_per_message_deflate=False, log_level="warning",
                                access_log=False, lifespan="on", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
        return uvicorn.Server(config)
