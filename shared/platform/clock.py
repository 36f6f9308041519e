"""One source of "now", so tests can move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    return _frozen or datetime.now(UTC) + _offset


def epoch_seconds() -> int:
    return int(now().timestamp())


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests only); `freeze(None)` lets it run again."""
    global _frozen
    _frozen = at


def shift(offset: timedelta) -> None:
    """Run the clock `offset` ahead (or behind) of real time, still ticking: the sandbox stack's time travel,
    e.g. to a moment inside a campaign's calling window (`/_sandbox/clock`)."""
    global _offset
    _offset = offset


def move_to(target: datetime | None) -> None:
    """Run the clock from `target` on (still ticking); `None` returns to real time."""
    shift(target - datetime.now(UTC) if target is not None else timedelta(0))


def offset() -> timedelta:
    """How far the clock runs ahead of real time (negative: behind)."""
    return _offset


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z`, seconds precision — the contract's timestamp format."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_seconds() -> datetime:
    """Now, truncated to whole seconds: what we store for user-facing timestamps."""
    return now().replace(microsecond=0)
