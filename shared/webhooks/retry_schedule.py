"""When a failed delivery is tried again: exponential backoff with jitter, for about a day.

After the n-th failed attempt the next one waits 30 s × 2^(n−1) (30 s, 1 min, 2 min, … capped at 6 h a step),
±25 % jitter so endpoints that failed together are not retried together; a receiver's `Retry-After` (429, 503) is
honoured when it asks for longer. Attempts stop once the next one would fall more than the retry window (24 h)
after the delivery was created: about 13 attempts. `WEBHOOK_RETRY_SCALE` multiplies the backoff and the window (the
sandbox shortens them), never a receiver's own Retry-After. SQS delays a message 15 minutes at most, so a longer
wait is a chain of delayed messages (`next_hop_seconds`).
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

FIRST_BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 6 * 3600.0
JITTER = 0.25
#: SQS's longest DelaySeconds.
MAX_HOP_SECONDS = 900


def backoff_seconds(failed_attempts: int, *, scale: float = 1.0, rng: random.Random | None = None) -> float:
    """The wait after the `failed_attempts`-th failure (1 = the first attempt failed)."""
    step = min(FIRST_BACKOFF_SECONDS * 2 ** max(failed_attempts - 1, 0), MAX_BACKOFF_SECONDS)
    return step * (rng or random).uniform(1 - JITTER, 1 + JITTER) * scale


def retry_after_seconds(header: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not header:
        return None
    text = header.strip()
    if text.isdigit():
        return float(int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max((moment - now).total_seconds(), 0.0)


def next_attempt_at(*, created_at: datetime, failed_attempts: int, now: datetime, retry_after: float | None,
                    scale: float, window_seconds: float, rng: random.Random | None = None) -> datetime | None:
    """When to try again, or None when the retry window is spent."""
    wait = backoff_seconds(failed_attempts, scale=scale, rng=rng)
    if retry_after is not None:
        wait = max(wait, retry_after)
    at = now + timedelta(seconds=wait)
    if at > created_at + timedelta(seconds=window_seconds * scale):
        return None
    return at


def next_hop_seconds(now: datetime, due: datetime) -> int:
    """The SQS delay of the next message towards `due`: whole seconds, at most 15 minutes, 0 when due."""
    remaining = (due - now).total_seconds()
    return 0 if remaining <= 0 else min(math.ceil(remaining), MAX_HOP_SECONDS)
