"""`python -m voice`: serve the voice plane with uvicorn on VOICE_PLANE_HOST:VOICE_PLANE_PORT."""

from __future__ import annotations

import sys

import uvicorn

from shared.platform.settings import get_settings
from voice.server import create_app

#: pipecat logs through loguru at DEBUG unless told otherwise, and at DEBUG it writes every turn's whole LLM
#: context — what the callee said, numbers and emails included — and the rule book's system prompt (RULES: no
#: personal data in logs). INFO keeps its warnings and errors and the call lifecycle.
PIPECAT_LOG_LEVEL = "INFO"


def configure_logging() -> None:
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level=PIPECAT_LOG_LEVEL)


def server_config(app, *, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """How the voice plane is served. No access log: it would print a `?token=` media token (RULES: never log
    tokens). No permessage-deflate: media frames are base64 audio that hardly compresses, and compressing every
    one of a call's 50 messages a second cost ~8 % of the voice plane's CPU in `make bench`. uvloop: every call
    moves ~12 frames through pipecat's queues and tasks for each 20 ms of audio, so the event loop's own overhead
    is a large share of the CPU a call costs, and uvloop's is a fraction of asyncio's."""
    return uvicorn.Config(app, host=host, port=port, loop="uvloop", ws="websockets-sansio",
                          ws_per_message_deflate=False, lifespan="on", log_level=log_level, access_log=False)


def main() -> None:
    settings = get_settings()
    configure_logging()
    uvicorn.Server(server_config(create_app(), host=settings.voice_plane_host, port=settings.voice_plane_port)).run()


if __name__ == "__main__":
    main()
