"""Throughput: drain a backlog of pending deliveries to a fast local receiver.

Baseline, measured in the same run against the same receiver process: a raw aiohttp POST loop
with the same concurrency and body size. Goal: >= 0.35x the raw loop, with every attempt
recorded. Raw loop and drain alternate over rounds (the machine is shared and its load moves);
the ratio is the median of the rounds'.

    .venv/bin/python bench/bench_throughput.py [--deliveries 20000] [--rounds 3] [--full]
        [--database-url URL]
"""

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import receiver
from bridge.config import BridgeConfig
from bridge.dispatcher import Dispatcher
from bridge.service import client_session
from events.log import Event
from hookline.accounts import bootstrap
from hookline.startup import tune_gc
from models import db
from models.ids import new_id
from models.samples import sample_values
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, Webhook

GOAL = 0.35


async def seed(count: int, url: str) -> int:
    made = await bootstrap("Bench", f"bench-{new_id()}@acme.test", "Web")
    webhook = await Webhook.create(
        company_id=made["companyId"],
        created_by_id=made["userId"],
        url=url,
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        events=[],
        project_ids=[],
    )
    previous, current = sample_values("TODO_CREATED")
    now = datetime.now(UTC)
    for start in range(0, count, 1000):
        events = [
            Event(
                type="TODO_CREATED",
                company_id=made["companyId"],
                project_id=made["projectId"],
                user_id=made["userId"],
                previous_value=previous,
                current_value=current,
                company_name="Bench",
                project_name="Web",
                user_name="Bench User",
                user_email="bench@acme.test",
            )
            for _ in range(min(1000, count - start))
        ]
        await Event.bulk_create(events)
    ids = (
        await Event.filter(project_id=made["projectId"]).order_by("id").values_list("id", flat=True)
    )
    for start in range(0, count, 1000):
        await Delivery.bulk_create(
            [
                Delivery(
                    id=new_id(),
                    webhook_id=webhook.id,
                    event_id=event_id,
                    event="TODO_CREATED",
                    message_id=f"msg_{event_id}_{webhook.id}",
                    next_attempt_at=now,
                )
                for event_id in ids[start : start + 1000]
            ]
        )
    body_size = len(str(current)) + 600
    return body_size


def cpu_seconds() -> float:
    """CPU time of this process, every thread (aiosqlite's too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drain(config: BridgeConfig, count: int) -> tuple[float, float]:
    """Seconds to drain every pending delivery, and the CPU µs this process spent on each."""
    session = client_session(config)
    dispatcher = Dispatcher(session, config)
    cpu = cpu_seconds()
    start = time.perf_counter()
    runner = asyncio.create_task(dispatcher.run())
    while await Delivery.filter(status=DeliveryStatus.PENDING).exists():
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - start
    cpu = (cpu_seconds() - cpu) / count * 1e6
    await dispatcher.stop()
    await runner
    await session.close()
    return elapsed, cpu


async def raw_loop(url: str, count: int, concurrency: int, body_size: int) -> float:
    body = b"x" * body_size
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        remaining = iter(range(count))

        async def worker() -> None:
            for _ in remaining:
                async with session.post(url, data=body) as response:
                    await response.read()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--full", action="store_true", help="5 rounds")
    args = parser.parse_args()
    if args.full:
        args.rounds = 5
    config = BridgeConfig(allow_private_urls=True)
    process, base = receiver()
    rates: list[tuple[float, float, float]] = []  # (raw, drain, CPU µs per delivery)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite://{tmp}/bench.db"
        await db.migrate(url)
        await db.init(url)
        try:
            for round_ in range(args.rounds):
                # Alternate which goes first, so a change in the machine's load falls on both.
                body_size = await seed(args.deliveries, f"{base}/hook")
                raw = drained = cpu = 0.0
                for step in ("raw", "drain") if round_ % 2 == 0 else ("drain", "raw"):
                    if step == "raw":
                        raw = await raw_loop(
                            f"{base}/hook", args.deliveries, config.per_endpoint_limit, body_size
                        )
                    else:
                        drained, cpu = await drain(config, args.deliveries)
                rates.append((args.deliveries / raw, args.deliveries / drained, cpu))
            attempts = await DeliveryAttempt.all().count()
        finally:
            await db.close()
            process.terminate()
    ratios = [d / r for r, d, _ in rates]
    middle = statistics.median(ratios)
    print(f"backend            {url.split(':')[0]}")
    print(f"deliveries         {args.deliveries} x {args.rounds} rounds (attempts: {attempts})")
    for n, (r, d, cpu) in enumerate(rates, 1):
        print(
            f"round {n}            raw loop {r:,.0f} POST/s, drain {d:,.0f}/s "
            f"({cpu:.0f} µs CPU per delivery): {d / r:.2f}x"
        )
    print(
        f"hookline drain     {statistics.median(d for _, d, _ in rates):,.0f} deliveries/s (median)"
    )
    verdict = "met" if middle >= GOAL else "NOT met"
    print(
        f"ratio              {middle:.2f}x the raw loop (median; rounds "
        f"{min(ratios):.2f}-{max(ratios):.2f}); goal >= {GOAL}x: {verdict}"
    )
    assert attempts == args.deliveries * args.rounds, "every attempt must be recorded"


if __name__ == "__main__":
    # uvloop and the collector's settings, as `hookline serve` and `hookline bridge` run; the
    # baseline too.
    tune_gc()
    uvloop.run(main())
