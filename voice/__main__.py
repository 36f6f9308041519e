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


def main() -> None:
    settings = get_settings()
    configure_logging()
    # No access log: it would print a `?token=` media token (RULES: never log tokens).
    uvicorn.run(create_app(), host=settings.voice_plane_host, port=settings.voice_plane_port, ws="websockets-sansio",
                log_level="info", access_log=False)


if __name__ == "__main__":
    main()
