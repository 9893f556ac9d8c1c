"""webhookStats: counts by outcome and latency percentiles per bucket, computed by the database
(percentile_cont on PostgreSQL, window functions on SQLite), checked against a reference on
the same rows, on both backends."""

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from models.ids import new_id
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.tracker import create

STATS = (
    "query($w:String!,$f:DateTime!,$t:DateTime!,$b:StatsBucket){"
    "webhookStats(webhookId:$w,from:$f,to:$t,bucket:$b){start succeeded failed pending p50Ms p95Ms}}"
)
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def percentile_cont(p: float, values: list[float]) -> float | None:
    """PostgreSQL's definition: interpolate between the ranks floor(p·(n-1)) and the next."""
    if not values:
        return None
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


async def seed(
    webhook_id: str, deliveries: list[tuple[datetime, DeliveryStatus]], attempts: list[tuple]
) -> list[str]:
    """Deliveries at given times and states, and attempts (delivery index, started_at,
    duration, status code) as the recorder writes them."""
    rows = [
        Delivery(
            id=new_id(),
            webhook_id=webhook_id,
            event="TODO_CREATED",
            message_id=f"msg_{new_id()}",
            status=status,
            created_at=at,
        )
        for at, status in deliveries
    ]
    await Delivery.bulk_create(rows)
    await DeliveryAttempt.bulk_create(
        [
            DeliveryAttempt(
                delivery_id=rows[i].id,
                webhook_id=webhook_id,
                number=1,
                started_at=at,
                duration_ms=duration,
                status_code=code,
            )
            for i, at, duration, code in attempts
        ]
    )
    return [r.id for r in rows]


async def stats(gql: Client, webhook_id: str, start: datetime, end: datetime, bucket: str) -> Any:
    variables = {"w": webhook_id, "f": start.isoformat(), "t": end.isoformat(), "b": bucket}
    return (await gql(STATS, variables))["webhookStats"]


async def test_counts_per_bucket_by_outcome(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = (await create(gql, receiver.url))["id"]
    other = (await create(gql, receiver.url))["id"]
    S, F, P = DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.PENDING
    await seed(
        hook,
        [
            (T0 - timedelta(microseconds=1), S),  # before `from`: not counted
            (T0, S),  # exactly at `from`: first bucket
            (T0 + timedelta(minutes=59, seconds=59, microseconds=999999), F),
            (T0 + timedelta(hours=1), P),  # exactly on a bound: the later bucket
            (T0 + timedelta(hours=1, minutes=5), S),
            (T0 + timedelta(hours=2, minutes=30), F),  # in the last, shortened bucket
            (T0 + timedelta(hours=2, minutes=45), S),  # at `to`: not counted
        ],
        [],
    )
    await seed(other, [(T0, F)], [])  # another webhook's delivery
    found = await stats(gql, hook, T0, T0 + timedelta(hours=2, minutes=45), "HOUR")
    assert [(b["start"], b["succeeded"], b["failed"], b["pending"]) for b in found] == [
        ("2026-03-01T10:00:00+00:00", 1, 1, 0),
        ("2026-03-01T11:00:00+00:00", 1, 0, 1),
        ("2026-03-01T12:00:00+00:00", 0, 1, 0),
    ]
    assert all(b["p50Ms"] is None and b["p95Ms"] is None for b in found)
    # One bucket as long as the range gives totals: what the portal shows for the last 24 h.
    [total] = await stats(gql, hook, T0, T0 + timedelta(days=1), "DAY")
    assert (total["succeeded"], total["failed"], total["pending"]) == (3, 2, 1)


@pytest.mark.parametrize("seed_value", [1, 2])
async def test_percentiles_match_percentile_cont(
    gql: Client, owner: Account, receiver: Receiver, seed_value: int
) -> None:
    hook = (await create(gql, receiver.url))["id"]
    rng = random.Random(seed_value)
    # Minute buckets holding 0, 1, 2, 3, … answered attempts, with some unanswered ones.
    sizes = [0, 1, 2, 3, 4, 7, 10, 20, 33]
    deliveries, attempts, expected = [], [], []
    for minute, size in enumerate(sizes):
        durations = [round(rng.lognormvariate(3, 1), 3) for _ in range(size)]
        for duration in durations:
            at = T0 + timedelta(minutes=minute, seconds=rng.uniform(0, 59.9))
            deliveries.append((at, DeliveryStatus.SUCCEEDED))
            attempts.append((len(deliveries) - 1, at, duration, rng.choice([200, 204, 500, 410])))
        # Timeouts and refused connections have no status code: never part of the latency.
        at = T0 + timedelta(minutes=minute, seconds=30)
        deliveries.append((at, DeliveryStatus.FAILED))
        attempts.append((len(deliveries) - 1, at, 7000.0, None))
        expected.append((percentile_cont(0.5, durations), percentile_cont(0.95, durations)))
    await seed(hook, deliveries, attempts)
    found = await stats(gql, hook, T0, T0 + timedelta(minutes=len(sizes)), "MINUTE")
    assert len(found) == len(sizes)
    for bucket, (p50, p95), size in zip(found, expected, sizes, strict=True):
        assert bucket["succeeded"] == size and bucket["failed"] == 1
        if p50 is None:
            assert bucket["p50Ms"] is None and bucket["p95Ms"] is None
        else:
            assert bucket["p50Ms"] == pytest.approx(p50, rel=1e-12), size
            assert bucket["p95Ms"] == pytest.approx(p95, rel=1e-12), size


async def test_arguments_are_checked(gql: Client, owner: Account, receiver: Receiver) -> None:
    hook = (await create(gql, receiver.url))["id"]
    backwards = {"w": hook, "f": T0.isoformat(), "t": T0.isoformat(), "b": "HOUR"}
    error = await gql.error(STATS, backwards)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    years = {**backwards, "t": (T0 + timedelta(days=3)).isoformat(), "b": "MINUTE"}
    assert (await gql.error(STATS, years))["extensions"]["field"] == "bucket"
    missing = {**backwards, "w": "nope", "t": (T0 + timedelta(hours=1)).isoformat()}
    assert (await gql.error(STATS, missing))["extensions"]["code"] == "WEBHOOK_NOT_FOUND"


async def test_counts_and_latencies_read_indexes_only(app: Any) -> None:
    """The plan SQLite chooses for both statements: the covering indexes, no table rows."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect != "sqlite":
        pytest.skip("SQLite's EXPLAIN QUERY PLAN; PostgreSQL picks plans by table size")
    from models import stats

    values = "(?, ?, ?)"
    args = [0, stats.sqlite_time(T0), stats.sqlite_time(T0 + timedelta(hours=1)), "w"]
    for statement in (stats._SQLITE_COUNTS, stats._SQLITE_LATENCY):
        _, plan = await connection.execute_query(
            "EXPLAIN QUERY PLAN " + statement.format(values=values), args
        )
        details = " | ".join(row["detail"] for row in plan)
        assert "USING COVERING INDEX" in details, details
        assert "SCAN d" not in details and "SCAN a" not in details, details
