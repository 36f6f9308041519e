"""Publishing the server's active calls, for the service's autoscaling (shared/providers/metrics/active_calls.py).

While the server runs: one datapoint at once, then one every interval; when it shuts down, one last 0 — the task
is leaving and its calls are over, so it should stop weighing on the average per task. Publishing runs in a
thread (boto3 blocks) and a failure is only logged: the metric must never cost a call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

Publish = Callable[[int], None]
logger = logging.getLogger("callfunnel.voice")
#: The last datapoint must not hold up the process's shutdown (ECS kills it 120 s after SIGTERM).
SHUTDOWN_PUBLISH_SECONDS = 5.0


@contextlib.asynccontextmanager
async def publishing_active_calls(count: Callable[[], int], publish: Publish | None,
                                  interval_seconds: float) -> AsyncIterator[None]:
    """Publish `count()` every `interval_seconds` for as long as the block runs; nothing when `publish` is None."""
    if publish is None:
        yield
        return
    loop = asyncio.create_task(_every(interval_seconds, count, publish), name="active-calls-metric")
    try:
        yield
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_publish(publish, 0), SHUTDOWN_PUBLISH_SECONDS)


async def _every(interval_seconds: float, count: Callable[[], int], publish: Publish) -> None:
    while True:
        await _publish(publish, count())
        await asyncio.sleep(interval_seconds)


async def _publish(publish: Publish, value: int) -> None:
    try:
        await asyncio.to_thread(publish, value)
    except Exception:  # a lost datapoint only delays scaling; it never reaches a call
        logger.exception("active calls (%d) could not be published", value)
