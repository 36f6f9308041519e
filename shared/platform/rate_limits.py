"""Rate limits: GCRA (the token bucket, stored as one number) with one conditional UpdateItem per request.

A bucket is one item holding `tat`, the theoretical arrival time (epoch ms) of the next request if the
client kept exactly to the sustained rate. With interval T = 1000 / rate ms and tolerance τ = (burst − 1)·T,
a request at `now` is allowed iff tat ≤ now + τ, and then tat becomes max(tat, now) + T. A missing or
past tat is a full bucket.

DynamoDB cannot compute max(tat, now), so the write is a guess made from this container's last sight of
the bucket: "the bucket is in use" → `tat = tat + T` if now ≤ tat ≤ now + τ; "the bucket is full" →
`tat = now + T` if tat is missing or < now. A failed condition returns the old item
(ReturnValuesOnConditionCheckFailure), which says either "over the limit" (429, nothing written) or "wrong
guess" — then the other update is sent, with the old tat as the new guess. Wrong guesses are rare: a cold
container, or several containers serving one tenant while its bucket drains or fills. A third failure in a
row means other requests keep winning the race: that request is refused as over the limit.

Headers: `X-RateLimit-Limit` is the burst (the most `X-RateLimit-Remaining` can be),
`X-RateLimit-Remaining` the requests allowed right now, `X-RateLimit-Reset` the seconds until Remaining
next grows (0 when the bucket is full) — on a 429 that equals `Retry-After`.

Per-tenant limits: defaults from settings; a tenant's own limits live on its bucket item
(`set_tenant_limit`) and come back with every update, so a container applies them from its second request
for that tenant on (the first uses the limits it last saw, or the defaults). Time is the real wall clock
(`now_ms`), not `shared.platform.clock`: tests freeze that clock, and requests keep arriving.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from shared.platform.errors import RateLimited

MAX_UPDATES_PER_REQUEST = 3
_CACHE_LIMIT = 10_000
_last_tat: dict[str, int] = {}  # bucket key → the tat this container last saw (a guess, never trusted)
_tenant_limits: dict[int, "Limit"] = {}  # tenant → its limits as last seen on its bucket item


@dataclass(frozen=True)
class Limit:
    """A sustained rate (requests per second) and a burst (requests at once from a full bucket)."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")

    @property
    def interval_ms(self) -> int:
        return max(1, round(1000 / self.per_second))

    @property
    def tolerance_ms(self) -> int:
        return (self.burst - 1) * self.interval_ms


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(self.reset_seconds)}
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


# --- The arithmetic (pure) ---

def is_allowed(limit: Limit, tat_ms: int | None, now_ms: int) -> bool:
    return tat_ms is None or tat_ms <= now_ms + limit.tolerance_ms


def next_tat(limit: Limit, tat_ms: int | None, now_ms: int) -> int:
    """The bucket after one more request is admitted."""
    return max(tat_ms if tat_ms is not None else now_ms, now_ms) + limit.interval_ms


def remaining(limit: Limit, tat_ms: int | None, now_ms: int) -> int:
    """Requests admissible at `now` one after another: those k ≥ 0 with tat + k·T ≤ now + τ."""
    if tat_ms is None:
        return limit.burst
    slack = now_ms + limit.tolerance_ms - tat_ms
    return 0 if slack < 0 else min(limit.burst, slack // limit.interval_ms + 1)


def reset_seconds(limit: Limit, tat_ms: int | None, now_ms: int) -> int:
    """Whole seconds (rounded up) until `remaining` grows by one; 0 when the bucket is full."""
    if tat_ms is None or tat_ms <= now_ms:
        return 0
    slack = now_ms + limit.tolerance_ms - tat_ms
    wait_ms = -slack if slack < 0 else limit.interval_ms - slack % limit.interval_ms
    return max(1, math.ceil(wait_ms / 1000))


def decision(limit: Limit, tat_ms: int | None, now_ms: int, *, allowed: bool) -> Decision:
    """Headers' values for a bucket as it stands after the request (`tat_ms` unchanged when refused)."""
    if allowed:
        return Decision(True, limit.burst, remaining(limit, tat_ms, now_ms), reset_seconds(limit, tat_ms, now_ms))
    return Decision(False, limit.burst, 0, max(1, reset_seconds(limit, tat_ms, now_ms)))


# --- Buckets in the table ---

def now_ms() -> int:
    return int(time.time() * 1000)


def take(bucket_key: str, limit: Limit, *, at_ms: int | None = None, expire: bool = False) -> tuple[Decision, dict]:
    """Admit one request into the bucket, or refuse it. Returns the decision and the bucket item's other
    attributes (e.g. a tenant's own limits). `expire`: let the item lapse (TTL) once the bucket is full."""
    from shared.platform.storage import rate_limit_buckets

    now = now_ms() if at_ms is None else at_ms
    guess = _last_tat.get(bucket_key)
    bucket_in_use = guess is not None and guess >= now
    for _ in range(MAX_UPDATES_PER_REQUEST):
        write = rate_limit_buckets.add_interval if bucket_in_use else rate_limit_buckets.start_full
        written, tat, attributes = write(bucket_key, now=now, interval_ms=limit.interval_ms,
                                         tolerance_ms=limit.tolerance_ms, expire=expire)
        _remember(bucket_key, tat)
        if written:
            return decision(limit, tat, now, allowed=True), attributes
        if not is_allowed(limit, tat, now):
            return decision(limit, tat, now, allowed=False), attributes
        bucket_in_use = tat is not None and tat >= now  # the guess was wrong: the old item says which write fits
    return Decision(False, limit.burst, 0, 1), {}


def _remember(bucket_key: str, tat: int | None) -> None:
    if len(_last_tat) >= _CACHE_LIMIT:
        _last_tat.clear()
    if tat is None:
        _last_tat.pop(bucket_key, None)
    else:
        _last_tat[bucket_key] = tat


def refuse(result: Decision, message: str) -> RateLimited:
    return RateLimited(message, code="RATE_LIMITED", headers=result.headers())


# --- The tenant limiter (login, signup and preview limits: shared.auth.abuse_limits) ---

def tenant_bucket(tenant_id: int) -> str:
    from shared.platform.storage import keys

    return keys.rate_limit_tenant_pk(tenant_id)


def default_tenant_limit() -> Limit:
    from shared.platform.settings import get_settings

    settings = get_settings()
    return Limit(settings.rate_limit_per_second, settings.rate_limit_burst)


def admit_tenant_request(tenant_id: int) -> Decision:
    """One request of a tenant: its decision (headers for the response), or RateLimited (429)."""
    from shared.platform.storage.rate_limit_buckets import limit_on_item

    limit = _tenant_limits.get(tenant_id) or default_tenant_limit()
    result, attributes = take(tenant_bucket(tenant_id), limit)
    own_limit = limit_on_item(attributes)
    if own_limit is None:
        _tenant_limits.pop(tenant_id, None)
    else:
        if len(_tenant_limits) >= _CACHE_LIMIT:
            _tenant_limits.clear()
        _tenant_limits[tenant_id] = Limit(*own_limit)
    if not result.allowed:
        raise refuse(result, "Too many requests for this workspace; retry after the Retry-After seconds")
    return result


def set_tenant_limit(tenant_id: int, limit: Limit | None) -> None:
    """Give a tenant its own limits (None: back to the defaults). Containers pick it up on their next request."""
    from shared.platform.storage import rate_limit_buckets

    rate_limit_buckets.set_limit(tenant_bucket(tenant_id), (limit.per_second, limit.burst) if limit else None)
    _tenant_limits.pop(tenant_id, None)


def forget_cached_buckets() -> None:
    """Drop this container's guesses and learned limits (tests)."""
    _last_tat.clear()
    _tenant_limits.clear()
