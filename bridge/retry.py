"""Retry policy for webhook deliveries: given the outcome of an attempt, what happens next."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

# Seconds to wait before each attempt; attempt 1 goes out immediately.
DEFAULT_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)

# Only these statuses carry a Retry-After that means "come back later" for our purposes.
_RETRY_AFTER_STATUSES = frozenset({429, 503})


def parse_schedule(text: str) -> tuple[float, ...]:
    """Parse "0,5,300" into (0.0, 5.0, 300.0); raise ValueError on junk, negatives or empty."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip():
        raise ValueError("retry schedule must not be empty")
    delays: list[float] = []
    for index, item in enumerate(items, start=1):
        try:
            delay = float(item)
        except ValueError:
            raise ValueError(
                f"retry schedule item {index} ({item!r}) is not a number of seconds"
            ) from None
        if not math.isfinite(delay) or delay < 0:
            raise ValueError(f"retry schedule item {index} ({item!r}) must be a finite delay >= 0")
        delays.append(delay)
    return tuple(delays)


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt produced: an HTTP status, or a transport error."""

    status_code: int | None
    error: str | None
    retry_after: str | None
    blocked: bool = False  # refused by the URL guard: the address is not public

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Decision:
    """What to do after an attempt; next_attempt_at is set only for "retry"."""

    kind: Literal["succeeded", "retry", "exhausted", "gone", "blocked"]
    next_attempt_at: datetime | None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from `now` named by a Retry-After value (delta-seconds or HTTP-date)."""
    if value is None or not (value := value.strip()):
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # a year past datetime's: Overflow
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP-dates are always GMT
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def decide(
    *,
    attempt: int,
    outcome: Outcome,
    now: datetime,
    schedule: Sequence[float],
    rng: random.Random,
    max_retry_after: float = 3600.0,
    jitter: float = 0.1,
) -> Decision:
    """Decide the fate of a delivery after attempt number `attempt` (1-based)."""
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    if outcome.succeeded:
        return Decision("succeeded", None)
    if outcome.status_code == 410:
        return Decision("gone", None)  # the receiver told us the endpoint is gone for good
    if outcome.blocked:
        return Decision("blocked", None)  # the URL leads somewhere we never send to
    if attempt >= len(schedule):
        return Decision("exhausted", None)
    # Jitter spreads out retries of many deliveries that failed together (thundering herd).
    delay = schedule[attempt] * rng.uniform(1 - jitter, 1 + jitter)
    if outcome.status_code in _RETRY_AFTER_STATUSES:
        retry_after = parse_retry_after(outcome.retry_after, now)
        if retry_after is not None:
            # Honour the receiver's back-off, but never let it park a delivery indefinitely.
            delay = max(delay, min(retry_after, max_retry_after))
    return Decision("retry", now + timedelta(seconds=delay))
