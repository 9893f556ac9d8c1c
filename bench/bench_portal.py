"""The portal's read path: webhookStats and the delivery log with 100,000 deliveries for the
webhook, against the same queries with 1,000, measured in the same run.

Each query is the one the portal page sends, through the whole GraphQL endpoint (the app in
this process, over ASGI). Deliveries are spread over the last 30 days (the default delivery
retention), one attempt each and a retry for one in ten, next to as many of another webhook.
Goal: p50 under 50 ms at 100,000 for the page's queries. The last line reads every delivery
of the 30 days (the chart's widest range is 7 days): it is printed to show that cost, not a
goal.

    .venv/bin/python bench/bench_portal.py [--postgres postgres://USER@HOST/DB] [--runs 40]
"""

import argparse
import asyncio
import base64
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import Tortoise

from bench.common import percentile
from hookline import accounts
from hookline.app import build_app
from hookline.settings import Settings
from models.stats import sqlite_time

SIZES = (1_000, 100_000)
SPAN = timedelta(days=30)
STATS = (
    "query($w:String!,$f:DateTime!,$t:DateTime!,$b:StatsBucket){webhookStats(webhookId:$w,"
    "from:$f,to:$t,bucket:$b){start succeeded failed pending p50Ms p95Ms}}"
)
LOG = (
    "query($w:String!,$f:DeliveryLogFilter,$a:String){webhookDeliveryLog(webhookId:$w,filter:$f,"
    "after:$a,take:20){items{id event status attemptCount createdAt nextAttemptAt attempts{"
    "number statusCode error durationMs}} startCursor endCursor hasNextPage hasPreviousPage}}"
)


@dataclass(frozen=True)
class Query:
    name: str
    document: str
    variables: Callable[[str, datetime, str], dict[str, Any]]
    goal: bool = True


def cursor(created_at: datetime, delivery_id: str) -> str:
    raw = f"{created_at.isoformat()}|{delivery_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


QUERIES = [
    Query(
        "stats, last 24 h by hour (the chart)",
        STATS,
        lambda w, now, _: {
            "w": w,
            "f": (now - timedelta(days=1)).isoformat(),
            "t": now.isoformat(),
            "b": "HOUR",
        },
    ),
    Query(
        "stats, last 24 h in one bucket (the list)",
        STATS,
        lambda w, now, _: {
            "w": w,
            "f": (now - timedelta(days=1)).isoformat(),
            "t": now.isoformat(),
            "b": "DAY",
        },
    ),
    Query(
        "stats, last 7 days by day (the chart)",
        STATS,
        lambda w, now, _: {
            "w": w,
            "f": (now - timedelta(days=7)).isoformat(),
            "t": now.isoformat(),
            "b": "DAY",
        },
    ),
    Query("log, newest page", LOG, lambda w, now, _: {"w": w}),
    Query("log, a page halfway down (keyset)", LOG, lambda w, now, mid: {"w": w, "a": mid}),
    Query("log, failed only", LOG, lambda w, now, _: {"w": w, "f": {"status": "FAILED"}}),
    Query(
        "log, one event type, last 24 h",
        LOG,
        lambda w, now, _: {
            "w": w,
            "f": {"event": "COMMENT_CREATED", "from": (now - timedelta(days=1)).isoformat()},
        },
    ),
    Query(
        "stats, all 30 days by day (reads every delivery)",
        STATS,
        lambda w, now, _: {"w": w, "f": (now - SPAN).isoformat(), "t": now.isoformat(), "b": "DAY"},
        goal=False,
    ),
]


async def seed(webhook_id: str, other_id: str, count: int, now: datetime) -> str:
    """`count` deliveries for each webhook, with attempts; returns the middle delivery's
    (created_at, id) as a cursor."""
    connection = Tortoise.get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    rng = random.Random(count)
    deliveries, attempts = [], []
    middle = (now, "")
    for hook in (webhook_id, other_id):
        for n in range(count):
            created = now - SPAN + SPAN * (n + rng.random()) / count
            delivery_id = uuid.uuid4().hex[:25]
            status = rng.choices(["SUCCEEDED", "FAILED", "PENDING"], [94, 5, 1])[0]
            event = rng.choice(["TODO_CREATED", "TODO_MOVED", "COMMENT_CREATED", "TODO_TAG_ADDED"])
            stamp = created if postgres else sqlite_time(created)
            deliveries.append((delivery_id, hook, n, event, f"msg_{delivery_id}", status, 1, stamp))
            for number in (1, 2) if n % 10 == 0 else (1,):
                started = created + timedelta(seconds=5 * (number - 1))
                code = 200 if status == "SUCCEEDED" and number == 1 + (n % 10 == 0) else 500
                attempts.append(
                    (
                        delivery_id,
                        hook,
                        number,
                        started if postgres else sqlite_time(started),
                        rng.lognormvariate(3, 0.8),
                        code,
                    )
                )
            if hook == webhook_id and n == count // 2:
                middle = (created, delivery_id)
    marks = (
        (lambda k: ", ".join(f"${i}" for i in range(1, k + 1)))
        if postgres
        else (lambda k: ", ".join("?" * k))
    )
    for start in range(0, len(deliveries), 5000):
        await connection.execute_many(
            "INSERT INTO delivery (id, webhook_id, event_id, event, message_id, status, "
            f"attempt_count, created_at) VALUES ({marks(8)})",
            [list(d) for d in deliveries[start : start + 5000]],
        )
    for start in range(0, len(attempts), 5000):
        await connection.execute_many(
            "INSERT INTO delivery_attempt (delivery_id, webhook_id, number, started_at, "
            f"duration_ms, status_code) VALUES ({marks(6)})",
            [list(a) for a in attempts[start : start + 5000]],
        )
    await connection.execute_script("ANALYZE" if postgres else "ANALYZE;")
    return cursor(*middle)


async def measure(database_url: str, count: int, runs: int) -> dict[str, list[float]]:
    # No bridge: nothing is delivered here; private URLs, as the webhooks point nowhere.
    settings = Settings(database_url=database_url, allow_private_urls=True)
    app = build_app(settings, run_bridge=False)
    async with app.router.lifespan_context(app):
        made = await accounts.bootstrap("Bench", f"{uuid.uuid4().hex[:8]}@bench.test", "Web")
        headers = {
            "Authorization": f"Bearer {made['token']}",
            "X-Bloo-Company-ID": made["companyId"],
        }
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

            async def gql(document: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await http.post(
                    "/graphql", json={"query": document, "variables": variables}, headers=headers
                )
                body = response.json()
                assert not body.get("errors"), body
                return body["data"]

            create = "mutation($u:String!){createWebhook(input:{url:$u}){id}}"
            hook = (await gql(create, {"u": "http://127.0.0.1:9/a"}))["createWebhook"]["id"]
            other = (await gql(create, {"u": "http://127.0.0.1:9/b"}))["createWebhook"]["id"]
            now = datetime.now(UTC)
            started = time.perf_counter()
            middle = await seed(hook, other, count, now)
            took = time.perf_counter() - started
            print(f"  seeded {count:,} deliveries per webhook in {took:.1f} s")
            timings: dict[str, list[float]] = {}
            for query in QUERIES:
                variables = query.variables(hook, now, middle)
                await timed(gql, query.document, variables)  # warm caches and plans
                timings[query.name] = [
                    await timed(gql, query.document, variables) for _ in range(runs)
                ]
    return timings


async def timed(call: Callable[..., Awaitable[Any]], *args: Any) -> float:
    start = time.perf_counter()
    await call(*args)
    return time.perf_counter() - start


def fresh_postgres(url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    name = f"hookline_bench_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def drop() -> None:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    return f"{base}/{name}", drop


async def run(backend: str, urls: dict[int, str], runs: int) -> None:
    print(f"\n{backend}: {runs} runs per query after one warm-up; p50 (p95) in ms")
    results = {}
    for count in SIZES:
        results[count] = await measure(urls[count], count, runs)
    small, large = SIZES
    print(f"  {'query':<52} {f'{small:,}':>16} {f'{large:,}':>16} {'ratio':>7}  goal")
    for query in QUERIES:
        a, b = results[small][query.name], results[large][query.name]
        p50a, p50b = statistics.median(a) * 1000, statistics.median(b) * 1000
        cell = lambda v, p: f"{v:.1f} ({percentile(p, 95) * 1000:.1f})"  # noqa: E731
        verdict = ("ok" if p50b < 50 else "MISSED") if query.goal else "not a goal"
        print(
            f"  {query.name:<52} {cell(p50a, a):>16} {cell(p50b, b):>16} "
            f"{p50b / p50a:>6.2f}x  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="an existing database to create bench databases next to")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls = {n: f"sqlite://{tmp}/portal-{n}.db" for n in SIZES}
        asyncio.run(run("SQLite", urls, args.runs))
    if args.postgres:
        made = {n: fresh_postgres(args.postgres) for n in SIZES}
        try:
            asyncio.run(run("PostgreSQL", {n: url for n, (url, _) in made.items()}, args.runs))
        finally:
            for _, drop in made.values():
                asyncio.run(drop())


if __name__ == "__main__":
    main()
