"""`python -m voice`: serve the voice plane with uvicorn on VOICE_PLANE_HOST:VOICE_PLANE_PORT."""

from __future__ import annotations

import uvicorn

from shared.platform.settings import get_settings
from voice.server import create_app


def main() -> None:
    settings = get_settings()
    # No access log: it would print a `?token=` media token (RULES: never log tokens).
    uvicorn.run(create_app(), host=settings.voice_plane_host, port=settings.voice_plane_port, ws="websockets-sansio",
                log_level="info", access_log=False)


if __name__ == "__main__":
    main()
