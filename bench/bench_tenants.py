"""Many tenants: the matcher's events/s with 10,000 enabled webhooks over 1,000 companies,
against its rate with 10 webhooks in one company, in the same run.

Every company has the same 10 webhooks, 3 of which take TODO_CREATED, so each event becomes 3
deliveries in both setups and only the size of the index differs. While the matcher works, one
webhook is changed (and announced) every CHURN seconds, so the index keeps refreshing. The
matcher runs in the app (`hookline serve` in-process) with first attempts an hour away, so
nothing is sent. Goal: 10,000 webhooks >= 0.5x the rate with 10.

    .venv/bin/python bench/bench_tenants.py [--events 5000] [--rounds 2] [--full]
"""

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events.announcement import Announcement
from events.log import Event
from hookline.app import build_app
from hookline.settings import Settings
from models import db
from models.accounts import Company, CompanyLevel, CompanyUser, User
from models.ids import new_id
from models.samples import sample_values
from models.tracker import Project
from models.webhooks import Delivery, Webhook, bump_routing_version

PER_COMPANY = 10
MATCHING = 3  # of PER_COMPANY, take TODO_CREATED
OTHER_EVENTS = ["TAG_CREATED", "COMMENT_CREATED", "TODO_DELETED", "TODO_MOVED"]
CHURN = 0.1
GOAL = 0.5


async def seed_tenants(companies: int) -> list[tuple[str, str]]:
    """Companies with an owner, a project and PER_COMPANY webhooks; their (company, project)."""
    made: list[tuple[str, str]] = []
    for start in range(0, companies, 500):
        batch = range(start, min(companies, start + 500))
        cs = [Company(id=new_id(), name=f"Tenant {k}", slug=f"tenant-{k}") for k in batch]
        us = [User(id=new_id(), email=f"owner{k}@tenant.test") for k in batch]
        ps = [Project(id=new_id(), company_id=c.id, name="Work", slug="work") for c in cs]
        await Company.bulk_create(cs)
        await User.bulk_create(us)
        await Project.bulk_create(ps)
        await CompanyUser.bulk_create(
            [
                CompanyUser(company_id=c.id, user_id=u.id, level=CompanyLevel.OWNER)
                for c, u in zip(cs, us, strict=True)
            ]
        )
        await Webhook.bulk_create(
            [
                Webhook(
                    id=new_id(),
                    uid=new_id(),
                    company_id=c.id,
                    created_by_id=u.id,
                    url="http://127.0.0.1:9/hook",
                    secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    events=["TODO_CREATED"] if n < MATCHING else [OTHER_EVENTS[n % 4]],
                    project_ids=[],
                )
                for c, u in zip(cs, us, strict=True)
                for n in range(PER_COMPANY)
            ]
        )
        made += [(c.id, p.id) for c, p in zip(cs, ps, strict=True)]
    return made


async def add_events(tenants: list[tuple[str, str]], count: int) -> int:
    """`count` TODO_CREATED events spread over the tenants; returns the last id."""
    _, current = sample_values("TODO_CREATED")
    for start in range(0, count, 1000):
        await Event.bulk_create(
            [
                Event(
                    type="TODO_CREATED",
                    company_id=tenants[k % len(tenants)][0],
                    project_id=tenants[k % len(tenants)][1],
                    current_value=current,
                )
                for k in range(start, min(count, start + 1000))
            ]
        )
    return (await Event.all().order_by("-id").first()).id  # type: ignore[union-attr]


@contextlib.asynccontextmanager
async def churning(app: Any, webhook_ids: list[str]) -> AsyncIterator[None]:
    """Change one webhook every CHURN seconds, as its owner would through the API."""

    async def run() -> None:
        for n in range(10**9):
            webhook_id = webhook_ids[n % len(webhook_ids)]
            await Webhook.filter(id=webhook_id).update(name=f"renamed {n}")
            await bump_routing_version(webhook_ids=[webhook_id])
            app.state.services.announcer.announce(Announcement.WEBHOOKS)
            await asyncio.sleep(CHURN)

    task = asyncio.create_task(run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def matched_through(app: Any, last: int) -> None:
    while app.state.bridge.matcher.cursor < last:
        await asyncio.sleep(0.005)


async def rate(url: str, tenants: list[tuple[str, str]], count: int) -> float:
    """Events/s the matcher takes from the log to stored deliveries, in a fresh app."""
    # A subscriber queue that holds a whole burst: the matcher's rate, not its catch-up after
    # falling behind (SUBSCRIBER_TOO_SLOW and a replay), is what is measured.
    settings = Settings(
        database_url=url,
        retry_schedule=(3600.0,),
        allow_private_urls=True,
        max_subscriber_queue=max(count * 2, 1000),
    )
    app = build_app(settings, run_bridge=True, migrate=False)
    async with app.router.lifespan_context(app):
        announce = app.state.services.announcer.announce
        await matched_through(app, await add_events(tenants, 1))  # warm: index loaded
        webhooks = await Webhook.all().limit(100).values_list("id", flat=True)
        async with churning(app, list(webhooks)):
            last = await add_events(tenants, count)
            started = time.perf_counter()
            announce(Announcement.EVENTS)
            await matched_through(app, last)
            return count / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="20,000 events, 3 rounds")
    args = parser.parse_args()
    if args.full:
        args.events, args.rounds = 20_000, 3
    rates: dict[int, list[float]] = {1: [], args.companies: []}
    with tempfile.TemporaryDirectory() as tmp:
        urls: dict[int, str] = {}
        tenants: dict[int, list[tuple[str, str]]] = {}
        for companies in rates:
            urls[companies] = f"sqlite://{tmp}/tenants{companies}.db"
            await db.migrate(urls[companies])
            await db.init(urls[companies])
            try:
                tenants[companies] = await seed_tenants(companies)
            finally:
                await db.close()
        for round_ in range(args.rounds):
            order = list(rates) if round_ % 2 == 0 else list(reversed(rates))
            for companies in order:
                rates[companies].append(
                    await rate(urls[companies], tenants[companies], args.events)
                )
        await db.init(urls[args.companies])
        try:
            per_event = await Delivery.all().count() / await Event.all().count()
        finally:
            await db.close()
    small, large = (statistics.median(rates[c]) for c in rates)
    print(
        f"matcher, SQLite, {args.events:,} events x {args.rounds} rounds, "
        f"{per_event:.1f} deliveries per event, a webhook changed every {CHURN:g} s"
    )
    for companies, values in rates.items():
        print(
            f"  {companies * PER_COMPANY:>6,} webhooks / {companies:>5,} companies: "
            f"{statistics.median(values):>7,.0f} events/s  "
            f"[{', '.join(f'{v:,.0f}' for v in values)}]"
        )
    ratio = large / small
    print(f"ratio {ratio:.2f}x (goal >= {GOAL}x: {'met' if ratio >= GOAL else 'NOT met'})")


if __name__ == "__main__":
    uvloop.run(main())
