"""GCRA arithmetic, the write guess and token leases, against an in-memory bucket with DynamoDB's semantics."""

from __future__ import annotations

import pytest

from shared.platform import rate_limits
from shared.platform.errors import RateLimited
from shared.platform.rate_limits import Limit, decision, is_allowed, next_tat, remaining, reset_seconds
from shared.platform.storage import rate_limit_buckets

TEN_A_SECOND_BURST_20 = Limit(10, 20)
NOW = 1_800_000_000_000


class FakeBuckets:
    """The two conditional updates, as DynamoDB evaluates them; counts the writes sent."""

    def __init__(self) -> None:
        self.tat: dict[str, int] = {}
        self.writes = 0

    def add_interval(self, key, *, now, interval_ms, tolerance_ms):
        self.writes += 1
        tat = self.tat.get(key)
        if tat is not None and now <= tat <= now + tolerance_ms:
            self.tat[key] = tat + interval_ms
            return True, self.tat[key], {}
        return False, tat, {}

    def start_full(self, key, *, now, interval_ms, tolerance_ms):
        self.writes += 1
        tat = self.tat.get(key)
        if tat is None or tat < now:
            self.tat[key] = now + interval_ms
            return True, self.tat[key], {}
        return False, tat, {}


@pytest.fixture
def buckets(monkeypatch) -> FakeBuckets:
    fake = FakeBuckets()
    monkeypatch.setattr(rate_limit_buckets, "add_interval", fake.add_interval)
    monkeypatch.setattr(rate_limit_buckets, "start_full", fake.start_full)
    rate_limits.forget_cached_buckets()
    yield fake
    rate_limits.forget_cached_buckets()


def test_the_interval_and_tolerance_follow_from_rate_and_burst():
    assert (TEN_A_SECOND_BURST_20.interval_ms, TEN_A_SECOND_BURST_20.tolerance_ms) == (100, 1900)
    assert (Limit(5 / 60, 10).interval_ms, Limit(5 / 60, 10).tolerance_ms) == (12_000, 108_000)


@pytest.mark.parametrize("rate, burst", [(0, 5), (-1, 5), (10, 0)])
def test_a_limit_needs_a_positive_rate_and_burst(rate, burst):
    with pytest.raises(ValueError):
        Limit(rate, burst)


def test_a_new_bucket_is_full_and_one_request_leaves_burst_minus_one():
    tat = next_tat(TEN_A_SECOND_BURST_20, None, NOW)
    assert tat == NOW + 100
    assert remaining(TEN_A_SECOND_BURST_20, tat, NOW) == 19
    assert remaining(TEN_A_SECOND_BURST_20, None, NOW) == 20


def test_exactly_burst_requests_at_one_instant_are_allowed_and_the_next_is_not():
    tat, allowed = None, 0
    while is_allowed(TEN_A_SECOND_BURST_20, tat, NOW):
        tat, allowed = next_tat(TEN_A_SECOND_BURST_20, tat, NOW), allowed + 1
    assert allowed == 20
    assert remaining(TEN_A_SECOND_BURST_20, tat, NOW) == 0


def test_the_sustained_rate_refills_one_token_per_interval():
    tat = NOW + 20 * 100  # a drained bucket
    assert not is_allowed(TEN_A_SECOND_BURST_20, tat, NOW)
    assert is_allowed(TEN_A_SECOND_BURST_20, tat, NOW + 100)
    assert remaining(TEN_A_SECOND_BURST_20, tat, NOW + 100) == 1
    assert remaining(TEN_A_SECOND_BURST_20, tat, NOW + 2000) == 20


def test_a_bucket_idle_long_enough_is_full_and_never_more_than_full():
    assert remaining(TEN_A_SECOND_BURST_20, NOW - 60_000, NOW) == 20
    assert next_tat(TEN_A_SECOND_BURST_20, NOW - 60_000, NOW) == NOW + 100


def test_reset_is_zero_when_full_and_counts_up_to_the_next_token():
    assert reset_seconds(TEN_A_SECOND_BURST_20, None, NOW) == 0
    assert reset_seconds(TEN_A_SECOND_BURST_20, NOW, NOW) == 0
    assert reset_seconds(TEN_A_SECOND_BURST_20, NOW + 100, NOW) == 1  # 100 ms, rounded up to a whole second
    slow = Limit(5 / 60, 10)  # login: a token every 12 s
    drained = NOW + 10 * 12_000
    assert reset_seconds(slow, drained, NOW) == 12
    assert reset_seconds(slow, drained + 5_000, NOW) == 17  # over the limit: until it admits one again


def test_a_refusal_says_when_to_retry_and_the_headers_agree():
    drained = NOW + 20 * 100 + 450
    refused = decision(TEN_A_SECOND_BURST_20, drained, NOW, allowed=False)
    assert (refused.allowed, refused.remaining, refused.reset_seconds) == (False, 0, 1)
    assert refused.headers() == {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0",
                                 "X-RateLimit-Reset": "1", "Retry-After": "1"}
    assert "Retry-After" not in decision(TEN_A_SECOND_BURST_20, NOW + 100, NOW, allowed=True).headers()


def test_each_request_costs_one_write_once_the_guess_is_warm(buckets):
    decisions = [rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)[0] for _ in range(20)]
    assert [d.remaining for d in decisions] == list(range(19, -1, -1))
    assert buckets.writes == 20


def test_the_request_past_the_burst_is_refused_without_a_second_write(buckets):
    for _ in range(20):
        rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    writes = buckets.writes
    refused, _ = rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    assert not refused.allowed and refused.reset_seconds == 1
    assert buckets.writes == writes + 1


def test_a_guess_of_in_use_for_a_bucket_that_has_refilled_costs_one_more_write(buckets):
    # Given a container that last saw the bucket in use, but it has refilled since (time, or a table reset)
    rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    buckets.tat["B"] = NOW - 5
    buckets.writes = 0
    result, _ = rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    assert result.allowed and result.remaining == 19 and buckets.writes == 2


def test_a_guess_of_full_for_a_bucket_another_container_uses_costs_one_more_write(buckets):
    buckets.tat["B"] = NOW + 500  # five requests ahead, written by another container
    result, _ = rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    assert result.allowed and result.remaining == 14 and buckets.writes == 2
    again, _ = rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    assert again.remaining == 13 and buckets.writes == 3  # and the guess is right from then on


def test_another_container_draining_the_bucket_is_seen_as_over_the_limit(buckets):
    rate_limits.forget_cached_buckets()
    buckets.tat["B"] = NOW + 2000  # drained by someone else
    result, _ = rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)
    assert not result.allowed and buckets.writes == 1


def test_buckets_are_independent(buckets):
    for _ in range(20):
        rate_limits.take("A", TEN_A_SECOND_BURST_20, at_ms=NOW)
    assert not rate_limits.take("A", TEN_A_SECOND_BURST_20, at_ms=NOW)[0].allowed
    assert rate_limits.take("B", TEN_A_SECOND_BURST_20, at_ms=NOW)[0].remaining == 19


# --- Token leases: a warm container takes N tokens with one write and spends them in memory ---

TENANT = 7


@pytest.fixture
def lease(monkeypatch, buckets):
    """A frozen `now_ms` the test moves, and the lease settings it asks for (size 5, one second, by default)."""
    from shared.platform.settings import reset_settings

    moment = {"now": NOW}
    monkeypatch.setattr(rate_limits, "now_ms", lambda: moment["now"])

    def configure(*, size: int = 5, seconds: float = 1.0, rate: float = 10, burst: int = 20) -> dict:
        monkeypatch.setenv("RATE_LIMIT_LEASE_SIZE", str(size))
        monkeypatch.setenv("RATE_LIMIT_LEASE_SECONDS", str(seconds))
        monkeypatch.setenv("RATE_LIMIT_PER_SECOND", str(rate))
        monkeypatch.setenv("RATE_LIMIT_BURST", str(burst))
        reset_settings()
        return moment

    return configure


def _admit_all(count: int) -> list:
    results = []
    for _ in range(count):
        try:
            results.append(rate_limits.admit_tenant_request(TENANT))
        except RateLimited as refused:
            results.append(refused)
    return results


def test_a_warm_container_writes_once_per_lease_of_n_requests(lease, buckets):
    lease(size=5)

    decisions = _admit_all(10)

    assert buckets.writes == 2
    assert [d.remaining for d in decisions] == list(range(19, 9, -1))  # as exact as one write per request


def test_with_one_container_the_burst_and_the_429_are_exactly_as_without_leases(lease, buckets):
    lease(size=5, rate=10, burst=20)

    results = _admit_all(21)

    assert [getattr(r, "remaining", None) for r in results[:20]] == list(range(19, -1, -1))
    refused = results[20]
    assert isinstance(refused, RateLimited) and refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert buckets.writes == 5  # four leases of five, and the refused attempt


def test_the_last_lease_takes_only_the_tokens_left(lease, buckets):
    lease(size=5, burst=7)

    _admit_all(7)

    assert buckets.tat[f"RATELIMIT#{TENANT}"] == NOW + 7 * 100  # 5 + 2 tokens taken, never more than the burst
    assert isinstance(_admit_all(1)[0], RateLimited)


def test_a_lease_expires_and_its_unspent_tokens_stay_spent(lease, buckets):
    moment = lease(size=5, seconds=1.0)
    _admit_all(1)  # leases 5, spends 1

    moment["now"] = NOW + 1_000  # the lease is one second old: gone
    again = _admit_all(1)[0]

    assert buckets.writes == 2
    # tat was NOW + 500 (five tokens); one second later the bucket refilled, and a new lease of five is taken.
    assert buckets.tat[f"RATELIMIT#{TENANT}"] == NOW + 1_000 + 500 and again.remaining == 19


def test_a_lease_size_of_one_is_one_write_per_request(lease, buckets):
    lease(size=1)

    _admit_all(6)

    assert buckets.writes == 6


def test_remaining_counts_the_bucket_refilling_while_a_lease_is_spent(lease, buckets):
    moment = lease(size=5, rate=10, burst=20)
    _admit_all(20)  # drained: the last lease left 0 in the bucket

    moment["now"] = NOW + 250  # 2 tokens refilled in the shared bucket since
    result = _admit_all(1)[0]

    assert result.remaining == 1  # a new lease of the 2, one spent


def test_another_container_shares_the_bucket_each_leasing_its_own_tokens(lease, buckets):
    lease(size=5, burst=20)
    _admit_all(3)  # container A: leased 5, 2 left in memory
    held = dict(rate_limits._leases)
    rate_limits._leases.clear()  # container B: its own memory, the same table

    b = _admit_all(15)

    assert [getattr(r, "remaining", None) for r in b] == list(range(14, -1, -1))  # B cannot see A's 2
    assert buckets.tat[f"RATELIMIT#{TENANT}"] == NOW + 20 * 100  # 5 (A) + 15 (B): every token of the burst
    assert isinstance(_admit_all(1)[0], RateLimited)  # B is out, while A still holds 2 (the documented bound)
    rate_limits._leases.update(held)
    assert [getattr(r, "allowed", None) for r in _admit_all(3)] == [True, True, None]


def test_after_a_refusal_the_requests_before_the_refill_are_refused_without_a_write(lease, buckets):
    moment = lease(size=5, rate=10, burst=20)
    _admit_all(20)
    refused = _admit_all(1)[0]
    writes = buckets.writes

    hammering = _admit_all(50)  # a client that keeps hammering within the same 100 ms

    assert isinstance(refused, RateLimited)
    assert all(isinstance(result, RateLimited) for result in hammering) and buckets.writes == writes
    assert {result.headers["Retry-After"] for result in hammering} == {"1"}
    moment["now"] = NOW + 100  # one token has refilled: the next request goes to the table again
    assert _admit_all(1)[0].allowed and buckets.writes == writes + 2  # asks for 5, then takes the 1 there is


def test_a_refusal_is_not_remembered_past_the_moment_the_bucket_admits_again(lease, buckets):
    moment = lease(size=1, rate=0.2, burst=1)  # a token every 5 s
    _admit_all(1)
    _admit_all(1)  # refused: tat = NOW + 5000

    moment["now"] = NOW + 4_999
    early = _admit_all(1)[0]
    moment["now"] = NOW + 5_000
    on_time = _admit_all(1)[0]

    assert isinstance(early, RateLimited) and early.headers["Retry-After"] == "1"
    assert on_time.allowed
