"""A callee holding for a human's decision: quiet, a short reminder at most every so often, and the decision
the moment it is made.

How the decision reaches the live call: the voice plane polls `approvals.get_decision` (one GetItem) every
`poll_seconds` (1 s) while — and only while — a callee holds. A decision made in the dashboard, the API or Slack
is heard within a second (plus the TTS's first audio); an approval nobody decides reads `expired` at its
deadline and the hold ends with the fallback. A hold of the full 300 s TTL costs 300 reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger("callfunnel.voice")

Status = Callable[[], Awaitable[str]]


async def wait_for_decision(status: Status, remind: Callable[[], Awaitable[None]], last_spoke: Callable[[], float],
                            *, poll_seconds: float, reminder_seconds: float, give_up_after: float) -> str:
    """Poll until the approval is no longer pending; `remind` when the agent has been quiet `reminder_seconds`
    (by `last_spoke`, a monotonic time). The final status: approved, denied or expired (also when the status
    could not be read for `give_up_after` seconds: the approval's own deadline has passed by then)."""
    deadline = time.monotonic() + give_up_after
    while time.monotonic() < deadline:
        try:
            current = await status()
        except Exception:  # a failed read is retried on the next poll; the callee keeps holding
            logger.warning("the approval's decision could not be read", exc_info=True)
            current = "pending"
        if current != "pending":
            return current
        if time.monotonic() - last_spoke() >= reminder_seconds:
            await remind()
        await asyncio.sleep(poll_seconds)
    return "expired"
