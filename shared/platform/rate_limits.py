"""Rate limits: GCRA (the token bucket, stored as one number); tenants' tokens are leased to warm containers.

A bucket is one item holding `tat`, the theoretical arrival time (epoch ms) of the next request if the
client kept exactly to the sustained rate. With interval T = 1000 / rate ms and tolerance τ = (burst − 1)·T,
a request at `now` is allowed iff tat ≤ now + τ, and then tat becomes max(tat, now) + T. A missing or
past tat is a full bucket. Taking k tokens at once is the same rule with k·T: allowed iff
tat + (k − 1)·T ≤ now + τ, then tat becomes max(tat, now) + k·T.

DynamoDB cannot compute max(tat, now), so the write is a guess made from this container's last sight of
the bucket: "the bucket is in use" → `tat = tat + k·T` if now ≤ tat ≤ now + τ − (k − 1)·T; "the bucket is
full" → `tat = now + k·T` if tat is missing or < now. A failed condition returns the old item
(ReturnValuesOnConditionCheckFailure), which says either "over the limit" (429, nothing written), "fewer
tokens left than asked" (ask for those), or "wrong guess" — then the other update is sent, with the old tat
as the new guess. A third failure in a row means other requests keep winning the race: refused as over the
limit.

Token leases (per tenant): a container takes up to `RATE_LIMIT_LEASE_SIZE` tokens (N, at most the burst)
with one conditional write and spends them in memory, one per request, until they are gone or the lease is
`RATE_LIMIT_LEASE_SECONDS` old (≤ 1 s by default); so a warm container writes once per N requests, not once
per request. Every admitted request still spent a token of the shared bucket, taken at most one lease
period before the request. Accuracy, for a tenant served by C warm containers at once:
- over any window, at most N × C more requests than exact GCRA would admit (tokens leased just before the
  window and spent in it), and never more than rate × lease seconds more;
- a request may be refused while other containers hold up to N − 1 unspent tokens each; unspent tokens of
  an expired lease are not given back (the limit errs strict, by at most N − 1 per container per lease);
- `X-RateLimit-Remaining` is this container's unspent tokens plus the shared bucket's remaining as of its
  last lease (refilled to now): exact with one container; otherwise it does not see the other containers'
  leases since then (at most one lease period old, off by at most N × C).
One container is the common case for one tenant at ≤ 10 requests/s: then no request is admitted that exact
GCRA would refuse, and the only error is a refusal early by the unspent tokens of a lease that expired.
A refusal is remembered too: until the bucket can admit one request again (tat − τ, at most one interval
away) the container refuses that tenant's requests without a write, so a client hammering past its limit
costs one write per interval, not one per request.

Headers: `X-RateLimit-Limit` is the burst (the most `X-RateLimit-Remaining` can be),
`X-RateLimit-Remaining` the requests allowed right now, `X-RateLimit-Reset` the seconds until Remaining
next grows (0 when the bucket is full) — on a 429 that equals `Retry-After`.

Per-tenant limits: defaults from settings; a tenant's own limits live on its bucket item
(`set_tenant_limit`) and come back with every update, so a container applies them from its next lease for
that tenant on (the first uses the limits it last saw, or the defaults; a lease taken under other limits
than the item's is dropped). Time is the real wall clock (`now_ms`), not `shared.platform.clock`: tests
freeze that clock, and requests keep arriving.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from shared.platform.errors import RateLimited

MAX_UPDATES_PER_REQUEST = 3
_CACHE_LIMIT = 10_000
_last_tat: dict[str, int] = {}  # bucket key → the tat this container last saw (a guess, never trusted)
_tenant_limits: dict[int, "Limit"] = {}  # tenant → its limits as last seen on its bucket item
_leases: dict[int, "_Lease"] = {}  # tenant → the tokens this container holds
_leases_lock = threading.Lock()  # the local stack serves requests on threads; a Lambda container on one


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


def take(bucket_key: str, limit: Limit, *, at_ms: int | None = None) -> tuple[Decision, dict]:
    """Admit one request into the bucket, or refuse it. Returns the decision and the bucket item's other
    attributes (e.g. a tenant's own limits)."""
    now = now_ms() if at_ms is None else at_ms
    granted, tat, attributes = take_tokens(bucket_key, limit, 1, now=now)
    return decision(limit, tat, now, allowed=granted > 0), attributes


def take_tokens(bucket_key: str, limit: Limit, wanted: int, *, now: int) -> tuple[int, int | None, dict]:
    """Take up to `wanted` tokens (≤ the burst) from the bucket with one conditional write (three at most
    when the guess is wrong or the bucket holds fewer). → (tokens granted, 0 when over the limit; the
    bucket's tat after, or as it stands when refused; the item's other attributes)."""
    from shared.platform.storage import rate_limit_buckets

    tokens = max(1, min(wanted, limit.burst))
    guess = _last_tat.get(bucket_key)
    bucket_in_use = guess is not None and guess >= now
    tat, attributes = guess, {}
    for _ in range(MAX_UPDATES_PER_REQUEST):
        write = rate_limit_buckets.add_interval if bucket_in_use else rate_limit_buckets.start_full
        # k tokens at once: the interval is k·T, and the bucket must hold k, so the ceiling drops by (k − 1)·T.
        written, tat, attributes = write(bucket_key, now=now, interval_ms=tokens * limit.interval_ms,
                                         tolerance_ms=limit.tolerance_ms - (tokens - 1) * limit.interval_ms)
        _remember(bucket_key, tat)
        if written:
            return tokens, tat, attributes
        available = remaining(limit, tat, now)
        if available == 0:
            return 0, tat, attributes
        tokens = min(tokens, available)  # fewer left than asked: ask for those
        bucket_in_use = tat is not None and tat >= now  # the old item says which write fits
    return 0, tat, attributes


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


@dataclass
class _Lease:
    """Tokens of a tenant's bucket this container took and has not spent yet — or, after a refusal, the
    moment until which the shared bucket cannot admit anything (`refused`)."""

    limit: Limit
    tokens: int
    tat_ms: int  # the shared bucket's tat right after the lease was taken (or as it stood when refused)
    expires_ms: int
    refused: bool = False

    def spend(self, now: int) -> Decision:
        self.tokens -= 1
        shared = remaining(self.limit, self.tat_ms, now)
        return Decision(True, self.limit.burst, min(self.limit.burst, self.tokens + shared),
                        reset_seconds(self.limit, self.tat_ms, now))


TENANT_REFUSAL = "Too many requests for this workspace; retry after the Retry-After seconds"


def admit_tenant_request(tenant_id: int) -> Decision:
    """One request of a tenant: its decision (headers for the response), or RateLimited (429).

    Spends a token of this container's lease; takes a new lease (one conditional write) when it has none left.
    After a refusal, the requests that come before the bucket can admit one again are refused here, without
    a write: a client hammering past its limit costs no write per request (the bucket's tat only grows, so
    the shared bucket would refuse them too; the wait is at most one interval, 100 ms by default)."""
    now = now_ms()
    with _leases_lock:
        lease = _leases.get(tenant_id)
        if lease is not None and now < lease.expires_ms:
            if lease.tokens > 0:
                return lease.spend(now)
            if lease.refused:
                raise refuse(decision(lease.limit, lease.tat_ms, now, allowed=False), TENANT_REFUSAL)
    return _lease_and_spend(tenant_id, now)


def _lease_and_spend(tenant_id: int, now: int) -> Decision:
    from shared.platform.settings import get_settings
    from shared.platform.storage.rate_limit_buckets import limit_on_item

    settings = get_settings()
    limit = _tenant_limits.get(tenant_id) or default_tenant_limit()
    granted, tat, attributes = take_tokens(tenant_bucket(tenant_id), limit, settings.rate_limit_lease_size, now=now)
    own = limit_on_item(attributes)
    learned = Limit(*own) if own is not None else default_tenant_limit()
    if own is None:
        _tenant_limits.pop(tenant_id, None)
    else:
        if len(_tenant_limits) >= _CACHE_LIMIT:
            _tenant_limits.clear()
        _tenant_limits[tenant_id] = learned
    if not granted:
        # Until tat − τ the bucket admits nothing (other containers can only push tat later): remember that.
        refused_until = tat - limit.tolerance_ms if tat is not None and learned == limit else now
        _keep(tenant_id, _Lease(limit, 0, tat or now, refused_until, refused=True))
        raise refuse(decision(limit, tat, now, allowed=False), TENANT_REFUSAL)
    expires = now + round(settings.rate_limit_lease_seconds * 1000)
    lease = _Lease(limit, granted, tat if tat is not None else now, expires)
    result = lease.spend(now)
    if learned != limit:
        lease.tokens = 0  # taken under limits the tenant no longer has: the next request leases under its own
    _keep(tenant_id, lease)
    return result


def _keep(tenant_id: int, lease: _Lease) -> None:
    with _leases_lock:
        if len(_leases) >= _CACHE_LIMIT:
            _leases.clear()
        _leases[tenant_id] = lease


def set_tenant_limit(tenant_id: int, limit: Limit | None) -> None:
    """Give a tenant its own limits (None: back to the defaults). Containers pick it up on their next request."""
    from shared.platform.storage import rate_limit_buckets

    rate_limit_buckets.set_limit(tenant_bucket(tenant_id), (limit.per_second, limit.burst) if limit else None)
    _tenant_limits.pop(tenant_id, None)
    with _leases_lock:
        _leases.pop(tenant_id, None)


def forget_cached_buckets() -> None:
    """Drop this container's guesses, learned limits and leases (tests)."""
    _last_tat.clear()
    _tenant_limits.clear()
    with _leases_lock:
        _leases.clear()
