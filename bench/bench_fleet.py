"""Throughput of the delivery queue with 1 and 2 `hookline bridge` processes on PostgreSQL,
and with 1 on SQLite, in the same run, to the same fast receiver process.

    .venv/bin/python bench/bench_fleet.py --postgres postgres://postgres@127.0.0.1:5432/test

--postgres names an existing database; the benchmark creates and drops its own next to it.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_throughput import seed
from bench.common import free_port, receiver, start
from events.log import Event, StreamCursor
from models import db
from models.webhooks import Delivery, DeliveryStatus


async def prepare(url: str, count: int, hook: str) -> None:
    await db.migrate(url)
    await db.init(url)
    try:
        await seed(count, hook)
        last = await Event.all().order_by("-id").first()
        # The seeded deliveries are the work; the matcher must not match their events again.
        await StreamCursor.update_or_create(name="bridge", defaults={"event_id": last.id})
    finally:
        await db.close()


async def drain(url: str, processes: int, count: int) -> float:
    env = {"HOOKLINE_DATABASE_URL": url, "HOOKLINE_ALLOW_PRIVATE_URLS": "1"}
    started = time.perf_counter()
    bridges = []
    for _ in range(processes):
        port = free_port()
        bridges.append(start(["-m", "hookline.cli", "bridge", "--port", str(port)], env))
    await db.init(url)
    try:
        while await Delivery.filter(status=DeliveryStatus.PENDING).count():
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        assert await Delivery.filter(status=DeliveryStatus.SUCCEEDED).count() == count
    finally:
        await db.close()
        for bridge in bridges:
            bridge.terminate()
            bridge.wait()
    return elapsed


async def admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--deliveries", type=int, default=20_000)
    args = parser.parse_args()
    process, base = receiver()
    results: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite://{tmp}/fleet.db"
            await prepare(url, args.deliveries, f"{base}/hook")
            results["sqlite, 1 process"] = await drain(url, 1, args.deliveries)
        for processes in (1, 2):
            name = f"hookline_bench_{uuid.uuid4().hex[:8]}"
            url = args.postgres.rsplit("/", 1)[0] + f"/{name}?maxsize=20"
            await admin(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                await prepare(url, args.deliveries, f"{base}/hook")
                results[
                    f"postgres, {processes} bridge process{'es' if processes > 1 else ''}"
                ] = await drain(url, processes, args.deliveries)
            finally:
                await admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        process.terminate()
    baseline = args.deliveries / results["sqlite, 1 process"]
    for name, elapsed in results.items():
        rate = args.deliveries / elapsed
        print(
            f"{name:32} {rate:8,.0f} deliveries/s  ({rate / baseline:.2f}x SQLite single process)"
        )
    print(
        "(includes process start-up, ~1 s; the receiver and bridges share this machine's 2 cores)"
    )


if __name__ == "__main__":
    asyncio.run(main())
