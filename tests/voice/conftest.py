"""Voice-plane tests: the real FastAPI server under uvicorn on a free port, spoken to over a real WebSocket as
Twilio would, with Deepgram, Claude and Cartesia replaced by local fakes of their streaming APIs (tests/fakes).

The token check spends tokens in the single table and the call record and its recording are kept in the table
and the media bucket, on moto (in-process, like the integration tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.calls import media_tokens
from shared.platform.aws import reset_clients
from tests.environment import environment

VOICE_TESTS = Path(__file__).parent
ENVIRONMENT = {
    "CALLFUNNEL_ENVIRONMENT": "local",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "JWT_SECRET": "voice-test-secret-long-enough-for-hs256",
    "TABLE_NAME": "callfunnel-voice-tests",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if VOICE_TESTS in item.path.parents:
            item.add_marker(pytest.mark.voice)


@pytest.fixture(scope="session")
def table() -> Iterator[None]:
    from infra_local.aws import create_media_bucket, start_moto
    from shared.platform.storage.table import create_table, reset_connections

    with environment(ENVIRONMENT):
        reset_clients()
        reset_connections()
        media_tokens.reset_key()
        mock = start_moto()
        create_table()
        create_media_bucket()
        yield
        mock.stop()
    reset_clients()
    reset_connections()
    media_tokens.reset_key()


class UvicornThread:
    """The app under a real uvicorn configured as `python -m voice` serves it, on 127.0.0.1, on a free port, in a
    daemon thread; its lifespan runs (the active-calls metric, off unless VOICE_METRICS_NAMESPACE is set)."""

    def __init__(self, app) -> None:
        import uvicorn

        from voice.__main__ import server_config

        self.server = uvicorn.Server(server_config(app, host="127.0.0.1", port=0, log_level="warning"))
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> UvicornThread:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the voice plane did not start")
            time.sleep(0.01)
        return self

    @property
    def port(self) -> int:
        return self.server.servers[0].sockets[0].getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
