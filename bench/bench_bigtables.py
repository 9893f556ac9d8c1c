"""Big tables: does a history of finished deliveries slow the queue, and can retention purge
it without starving the dispatcher?

One run, two databases on one backend: an empty one, and one seeded (bulk INSERT … SELECT) with
`--history` finished deliveries, each with one attempt, all past the retention. Rounds take turns:
  empty    drain `--deliveries` new deliveries on the empty database
  big      the same drain beside the history
  purging  the same drain beside the history while retention purges it (bridge.retention)
Goals: big >= 0.9x empty; purging >= 0.8x big.

    .venv/bin/python bench/bench_bigtables.py [--postgres URL] [--history 200000]
        [--deliveries 10000] [--rounds 2] [--full]     # --full: 1,000,000 history, 20,000, 3
"""

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_throughput import drain, seed
from bench.common import receiver
from bench.pg import scratch_database
from bridge import retention
from bridge.config import BridgeConfig
from hookline.accounts import bootstrap
from models import db
from models.ids import new_id
from models.webhooks import Delivery, DeliveryAttempt, Webhook

RETENTION_DAYS = 30.0
CHUNK = 100_000

_SQLITE_DELIVERIES = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO delivery (id, webhook_id, event_id, event, message_id, payload, status,
  attempt_count, next_attempt_at, claimed_until, created_at)
SELECT 'a' || lower(hex(randomblob(12))), ?, NULL, 'TODO_CREATED',
  'msg_old_' || lower(hex(randomblob(12))), NULL, 'SUCCEEDED', 1, NULL, NULL, ? FROM n
"""
_PG_DELIVERIES = """
INSERT INTO delivery (id, webhook_id, event_id, event, message_id, payload, status,
  attempt_count, next_attempt_at, claimed_until, created_at)
SELECT 'a' || substr(md5(random()::text), 1, 24), $2, NULL, 'TODO_CREATED',
  'msg_old_' || md5(random()::text), NULL, 'SUCCEEDED', 1, NULL, NULL, $3
FROM generate_series(1, $1)
"""
# NOT EXISTS, not NOT IN: past work_mem PostgreSQL runs NOT IN's subquery once per row, and the
# 1,000,000-row seed (--full --postgres) ran for 19 minutes without finishing its second chunk.
_ATTEMPTS = """
INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, status_code, error,
  response_body)
SELECT id, 1, created_at, 1.5, 200, NULL, 'ok' FROM delivery d
WHERE status = 'SUCCEEDED'
  AND NOT EXISTS (SELECT 1 FROM delivery_attempt a WHERE a.delivery_id = d.id)
"""


async def seed_history(count: int, hook: str) -> None:
    """`count` finished deliveries with one attempt each, older than the retention."""
    made = await bootstrap("History", f"history-{new_id()}@bench.test", "Old")
    webhook = await Webhook.create(
        company_id=made["companyId"],
        created_by_id=made["userId"],
        url=hook,
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        events=[],
        project_ids=[],
    )
    old = datetime.now(UTC) - timedelta(days=RETENTION_DAYS + 5)
    connection = Delivery._meta.db
    postgres = db.dialect() == "postgres"
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        await connection.execute_query(
            _PG_DELIVERIES if postgres else _SQLITE_DELIVERIES, [n, webhook.id, old]
        )
        await connection.execute_query(_ATTEMPTS)
    if postgres:
        await connection.execute_script("ANALYZE")


async def history_left() -> int:
    cutoff = datetime.now(UTC) - timedelta(days=RETENTION_DAYS)
    return await Delivery.filter(created_at__lt=cutoff).count()


@contextlib.asynccontextmanager
async def purging() -> AsyncIterator[None]:
    """Retention purging in the background, as the bridge's housekeeping does, but each call
    right after the last."""

    async def run() -> None:
        while True:
            if not await retention.purge_deliveries(RETENTION_DAYS):
                await asyncio.sleep(0.1)

    task = asyncio.create_task(run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def drain_on(url: str, hook: str, count: int, purge: bool) -> tuple[float, int]:
    """Deliveries/s draining `count` new ones on this database, and how many were purged."""
    await db.init(url)
    try:
        await seed(count, hook)
        config = BridgeConfig(allow_private_urls=True, retention_days=RETENTION_DAYS)
        if purge:
            before = await history_left()
            async with purging():
                elapsed, _ = await drain(config, count)
            return count / elapsed, before - await history_left()
        elapsed, _ = await drain(config, count)
        return count / elapsed, 0
    finally:
        await db.close()


@contextlib.asynccontextmanager
async def databases(postgres: str | None) -> AsyncIterator[tuple[str, str]]:
    if postgres:
        async with (
            scratch_database(postgres, "bench_empty") as empty,
            scratch_database(postgres, "bench_big") as big,
        ):
            yield empty, big
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite://{tmp}/empty.db", f"sqlite://{tmp}/big.db"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="an existing database to create scratch ones beside")
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    if args.full:
        args.history, args.deliveries, args.rounds = 1_000_000, 20_000, 3
    process, base = receiver()
    hook = f"{base}/hook"
    rates: dict[str, list[float]] = {"empty": [], "big": [], "purging": []}
    purged_total = 0
    try:
        async with databases(args.postgres) as (empty, big):
            for url in (empty, big):
                await db.migrate(url)
            await db.init(big)
            started = time.perf_counter()
            try:
                await seed_history(args.history, hook)
                seeded = await DeliveryAttempt.all().count()
            finally:
                await db.close()
            print(
                f"seeded {seeded:,} finished deliveries and attempts in "
                f"{time.perf_counter() - started:.0f} s"
            )
            for round_ in range(args.rounds):
                steps = ["empty", "big", "purging"]
                for step in steps[round_ % 3 :] + steps[: round_ % 3]:
                    rate, purged = await drain_on(
                        empty if step == "empty" else big, hook, args.deliveries, step == "purging"
                    )
                    rates[step].append(rate)
                    purged_total += purged
    finally:
        process.terminate()
    median = {k: statistics.median(v) for k, v in rates.items()}
    backend = "postgres" if args.postgres else "sqlite"
    print(
        f"backend {backend}, history {args.history:,}, drain {args.deliveries:,} x "
        f"{args.rounds} rounds (deliveries/s, median; rounds in brackets)"
    )
    for k, v in rates.items():
        print(f"  {k:<8} {median[k]:>8,.0f}/s  [{', '.join(f'{x:,.0f}' for x in v)}]")
    print(f"  purged while draining: {purged_total:,} deliveries")
    big_ratio = median["big"] / median["empty"]
    purge_ratio = median["purging"] / median["big"]
    verdict = "met" if big_ratio >= 0.9 else "NOT met"
    print(f"big / empty     {big_ratio:.2f}x (goal >= 0.9x: {verdict})")
    print(
        f"purging / big   {purge_ratio:.2f}x (goal >= 0.8x: "
        f"{'met' if purge_ratio >= 0.8 else 'NOT met'})"
    )


if __name__ == "__main__":
    uvloop.run(main())
