"""Delivery statistics of one webhook per time bucket, computed by the database from indexes.

Buckets are `step` long from `start` (the last one ends at `end`). A bucket counts the
deliveries created in it by their state now, and gives the latency of the attempts started in
it that got an HTTP answer (timeouts and refused connections are failures, not latencies).
Counts read the delivery index (webhook_id, created_at, status, …), latencies the attempt index
(webhook_id, started_at, status_code, duration_ms): neither touches a table row.

Percentiles are PostgreSQL's percentile_cont (linear interpolation between the two nearest
ranks). SQLite has no percentile function, so the same arithmetic is written out over
ROW_NUMBER() and COUNT() windows; tests check both against a reference on the same data. On
SQLite, where timestamps are ISO text, bucket bounds are given as text in the stored format and
joined by range, so no row is put in a bucket by floating-point arithmetic.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import Tortoise

from models.webhooks import DeliveryStatus

PERCENTILES = (0.5, 0.95)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    succeeded: int = 0
    failed: int = 0
    pending: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None


def bounds(start: datetime, end: datetime, step: timedelta) -> list[tuple[datetime, datetime]]:
    """[lo, hi) of every bucket from start to end; the last one stops at end."""
    found = []
    lo = start
    while lo < end:
        hi = lo + step if end - lo > step else end  # never past `end`, nor past year 9999
        found.append((lo, hi))
        lo = hi
    return found


def sqlite_time(value: datetime) -> str:
    """A timestamp as Tortoise stores it in SQLite, so text comparison is time order."""
    return value.astimezone(UTC).isoformat(sep=" ")


_PG_COUNTS = """
SELECT floor(extract(epoch FROM created_at - $2::timestamptz) / $3::float8)::int AS i, status,
       count(*) AS n
FROM delivery WHERE webhook_id = $1 AND created_at >= $2 AND created_at < $4
GROUP BY 1, 2
"""

_PG_LATENCY = """
SELECT floor(extract(epoch FROM started_at - $2::timestamptz) / $3::float8)::int AS i,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
FROM delivery_attempt
WHERE webhook_id = $1 AND started_at >= $2 AND started_at < $4 AND status_code IS NOT NULL
GROUP BY 1
"""

_SQLITE_COUNTS = """
WITH buckets(i, lo, hi) AS (VALUES {values})
SELECT b.i AS i, d.status AS status, count(*) AS n
FROM buckets b JOIN delivery d
  ON d.webhook_id = ? AND d.created_at >= b.lo AND d.created_at < b.hi
GROUP BY b.i, d.status
"""


def _sqlite_pick(p: float, name: str) -> str:
    """percentile_cont(p) of a bucket's `v`, from its rows numbered rn = 1..n in order:
    the values at 0-based ranks floor(p·(n-1)) and the next, interpolated."""
    rank = f"{p!r} * (n - 1)"
    return (
        f"max(CASE WHEN rn = CAST({rank} AS INTEGER) + 1 THEN v END) AS {name}_lo, "
        f"max(CASE WHEN rn = CAST({rank} AS INTEGER) + 2 THEN v END) AS {name}_hi, "
        f"{rank} - CAST({rank} AS INTEGER) AS {name}_f"
    )


_SQLITE_LATENCY = f"""
WITH buckets(i, lo, hi) AS (VALUES {{values}}),
ranked AS (
  SELECT b.i AS i, a.duration_ms AS v,
         row_number() OVER (PARTITION BY b.i ORDER BY a.duration_ms) AS rn,
         count(*) OVER (PARTITION BY b.i) AS n
  FROM buckets b JOIN delivery_attempt a
    ON a.webhook_id = ? AND a.started_at >= b.lo AND a.started_at < b.hi
   AND a.status_code IS NOT NULL
),
picked AS (
  SELECT i, {_sqlite_pick(0.5, "p50")}, {_sqlite_pick(0.95, "p95")}
  FROM ranked GROUP BY i
)
SELECT i, p50_lo + p50_f * (coalesce(p50_hi, p50_lo) - p50_lo) AS p50,
          p95_lo + p95_f * (coalesce(p95_hi, p95_lo) - p95_lo) AS p95
FROM picked
"""


async def webhook_stats(
    webhook_id: str, start: datetime, end: datetime, step: timedelta
) -> list[Bucket]:
    """Every bucket from start to end, empty ones included (zero counts, null latencies)."""
    spans = bounds(start, end, step)
    if not spans:
        return []
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        seconds = step.total_seconds()
        args = [webhook_id, start, seconds, end]
        _, counts = await connection.execute_query(_PG_COUNTS, args)
        _, latencies = await connection.execute_query(_PG_LATENCY, args)
    else:
        values = ", ".join("(?, ?, ?)" for _ in spans)
        args: list[Any] = []  # type: ignore[no-redef]
        for i, (lo, hi) in enumerate(spans):
            args += [i, sqlite_time(lo), sqlite_time(hi)]
        _, counts = await connection.execute_query(
            _SQLITE_COUNTS.format(values=values), [*args, webhook_id]
        )
        _, latencies = await connection.execute_query(
            _SQLITE_LATENCY.format(values=values), [*args, webhook_id]
        )
    tallies: dict[int, dict[str, int]] = {}
    for row in counts:
        tallies.setdefault(row["i"], {})[row["status"]] = row["n"]
    percentiles = {row["i"]: (row["p50"], row["p95"]) for row in latencies}
    buckets = []
    for i, (lo, _) in enumerate(spans):
        tally = tallies.get(i, {})
        p50, p95 = percentiles.get(i, (None, None))
        buckets.append(
            Bucket(
                start=lo,
                succeeded=tally.get(DeliveryStatus.SUCCEEDED, 0),
                failed=tally.get(DeliveryStatus.FAILED, 0),
                pending=tally.get(DeliveryStatus.PENDING, 0),
                p50_ms=None if p50 is None else float(p50),
                p95_ms=None if p95 is None else float(p95),
            )
        )
    return buckets
