"""How the sandbox processor delivers a webhook: like a real processor, on its own thread.

Schedule: POST, retrying after a non-2xx (or no answer) with growing delays; once accepted, the same
event is delivered once more, as processors do on an unacknowledged-looking delivery — so every top-up
exercises the duplicate path. Each attempt is signed afresh (new timestamp, current secret).

It runs on a background thread because the local stack runs one Lambda invocation at a time: the
sandbox page's request must finish before the webhook's invocation can start.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

#: (url, headers, body) → HTTP status (0 when there was no answer).
Post = Callable[[str, dict[str, str], bytes], int]

RETRY_DELAYS_SECONDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
DUPLICATE_DELAY_SECONDS = 0.3
TIMEOUT_SECONDS = 10
_threads: list[threading.Thread] = []


def http_post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, TimeoutError, OSError):
        return 0


def deliver(url: str, body: bytes, sign: Callable[[bytes], dict[str, str]], post: Post = http_post) -> list[int]:
    """Deliver until accepted (retries), then once more (the duplicate); the statuses seen, in order."""
    statuses: list[int] = []
    for delay in (0.0, *RETRY_DELAYS_SECONDS):
        time.sleep(delay)
        statuses.append(post(url, sign(body), body))
        if 200 <= statuses[-1] < 300:
            time.sleep(DUPLICATE_DELAY_SECONDS)
            statuses.append(post(url, sign(body), body))
            break
    return statuses


def deliver_in_background(url: str, body: bytes, sign: Callable[[bytes], dict[str, str]],
                          post: Post = http_post) -> threading.Thread:
    thread = threading.Thread(target=deliver, args=(url, body, sign, post), name="sandbox-webhook", daemon=True)
    _threads.append(thread)
    thread.start()
    return thread


def wait_for_deliveries(timeout_seconds: float = 30.0) -> None:
    """Block until every delivery started so far is done (tests; the local stack never waits)."""
    deadline = time.monotonic() + timeout_seconds
    while _threads:
        _threads.pop().join(max(0.0, deadline - time.monotonic()))
