"""Tests for bridge.retry with a fixed clock and seeded randomness."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bridge.retry import (
    DEFAULT_SCHEDULE,
    Decision,
    Outcome,
    decide,
    parse_retry_after,
    parse_schedule,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEED = 1234


def fail(status: int | None = 500, retry_after: str | None = None) -> Outcome:
    return Outcome(status_code=status, error=None if status else "boom", retry_after=retry_after)


def run(outcome: Outcome, attempt: int = 1, **kwargs: object) -> Decision:
    return decide(
        attempt=attempt,
        outcome=outcome,
        now=NOW,
        schedule=kwargs.pop("schedule", DEFAULT_SCHEDULE),  # type: ignore[arg-type]
        rng=random.Random(SEED),
        **kwargs,  # type: ignore[arg-type]
    )


def jittered(base: float, jitter: float = 0.1) -> timedelta:
    return timedelta(seconds=base * random.Random(SEED).uniform(1 - jitter, 1 + jitter))


def test_default_schedule() -> None:
    assert DEFAULT_SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


def test_parse_schedule() -> None:
    assert parse_schedule("0,5,300") == (0.0, 5.0, 300.0)
    assert parse_schedule(" 0 , 1.5 ") == (0.0, 1.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("0,,5", "item 2"),
        ("0,abc", r"\('abc'\) is not a number"),
        ("0,-5", "item 2 .* >= 0"),
        ("0,inf", "finite"),
        ("nan", "finite"),
    ],
)
def test_parse_schedule_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_2xx_succeeds(status: int) -> None:
    assert Outcome(status, None, None).succeeded
    assert run(Outcome(status, None, None)) == Decision("succeeded", None)


@pytest.mark.parametrize("status", [None, 199, 301, 304, 400, 429, 500])
def test_non_2xx_is_not_success(status: int | None) -> None:
    assert not fail(status).succeeded


def test_410_is_gone_even_on_last_attempt() -> None:
    assert run(fail(410), attempt=1) == Decision("gone", None)
    assert run(fail(410), attempt=len(DEFAULT_SCHEDULE)) == Decision("gone", None)


@pytest.mark.parametrize("attempt", [1, 2, 7])
def test_retry_waits_scheduled_delay_with_jitter(attempt: int) -> None:
    decision = run(fail(500), attempt=attempt)
    assert decision.kind == "retry"
    assert decision.next_attempt_at == NOW + jittered(DEFAULT_SCHEDULE[attempt])


def test_jitter_stays_within_bounds_and_zero_jitter_is_exact() -> None:
    for seed in range(50):
        d = decide(
            attempt=2, outcome=fail(), now=NOW, schedule=DEFAULT_SCHEDULE, rng=random.Random(seed)
        )
        assert d.next_attempt_at is not None
        assert 270 <= (d.next_attempt_at - NOW).total_seconds() <= 330
    assert run(fail(), attempt=2, jitter=0.0).next_attempt_at == NOW + timedelta(seconds=300)


def test_transport_error_and_3xx_are_retried() -> None:
    assert run(fail(None)).kind == "retry"
    assert run(fail(302)).kind == "retry"


def test_blocked_by_the_url_guard_is_final_at_once() -> None:
    blocked = Outcome(None, "blocked: 127.0.0.1 is a loopback address", None, blocked=True)
    assert run(blocked, attempt=1) == Decision("blocked", None)


def test_exhausted_after_last_scheduled_attempt() -> None:
    assert run(fail(500), attempt=len(DEFAULT_SCHEDULE)) == Decision("exhausted", None)
    assert run(fail(500), attempt=3, schedule=(0, 1, 2)) == Decision("exhausted", None)
    assert run(fail(500), attempt=2, schedule=(0, 1, 2)).kind == "retry"


def test_attempt_must_be_positive() -> None:
    with pytest.raises(ValueError, match="attempt"):
        run(fail(), attempt=0)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_extends_delay(status: int) -> None:
    decision = run(fail(status, retry_after="120"), attempt=1)  # scheduled ~5s
    assert decision.next_attempt_at == NOW + timedelta(seconds=120)


def test_retry_after_never_shortens_delay() -> None:
    decision = run(fail(429, retry_after="1"), attempt=2)  # scheduled ~300s
    assert decision.next_attempt_at == NOW + jittered(300)


def test_retry_after_is_capped() -> None:
    decision = run(fail(503, retry_after="999999"), attempt=1, max_retry_after=600.0)
    assert decision.next_attempt_at == NOW + timedelta(seconds=600)


def test_retry_after_http_date() -> None:
    decision = run(fail(503, retry_after="Fri, 02 Jan 2026 03:14:05 GMT"), attempt=1)
    assert decision.next_attempt_at == NOW + timedelta(seconds=600)


def test_retry_after_ignored_for_other_statuses() -> None:
    decision = run(fail(500, retry_after="120"), attempt=1)
    assert decision.next_attempt_at == NOW + jittered(5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("Fri, 02 Jan 2026 03:05:05 GMT", 60.0),
        ("Thu, 01 Jan 2026 00:00:00 GMT", 0.0),  # in the past: retry whenever scheduled
        # email.utils raises OverflowError for these, which no attempt may carry into the plan.
        ("Mon, 01 Jan 10000000000000000000 00:00:00 GMT", None),
        ("Mon, 01 Jan 2026 99999999999999999999:00:00 GMT", None),
        ("Mon, 01 Jan 99999 00:00:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected
