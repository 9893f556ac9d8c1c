"""Event order on PostgreSQL: concurrent writers, one sequence, readers that never miss an event.

Writers are not serialised: an event's id comes from its transaction's id, and readers take only
ids below the snapshot horizon (events.log). These tests run concurrent transactions on a real
pool and check that cursor readers (the tail, `follow()`, subscriptions) see every event once,
in order, and show what a cursor reader without the horizon misses.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from tortoise.transactions import in_transaction

from events.log import Event, NewEvent, append_events
from hookline.settings import Settings
from tests.conftest import Account, Client, new_account
from tests.servers import GraphQLWebSocket, uvicorn_server
from tests.tracker import Tracker

# The session's app, on the PostgreSQL database only (skipped without HOOKLINE_TEST_POSTGRES_URL).
pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

WRITERS, MUTATIONS = 8, 50
EVENTS = "subscription($p:[String!],$a:String){events(projectIds:$p,after:$a){id event}}"


@pytest.fixture
async def server(app: Any) -> AsyncIterator[str]:
    async with uvicorn_server(app) as address:
        yield address


async def eventually(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def following(feed: Any, cursor: int, project_id: str) -> AsyncIterator[list[int]]:
    """The ids of one project's events from `follow()`, collected in the background."""
    ids: list[int] = []

    async def collect() -> None:
        async with feed.follow(cursor) as rows:
            async for row in rows:
                if isinstance(row, Event) and row.project_id == project_id:  # not a RECHECK
                    ids.append(row.id)

    task = asyncio.create_task(collect())
    try:
        yield ids
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_concurrent_writers_and_readers_agree_with_the_table(
    app: Any, settings: Settings, server: str, http: httpx.AsyncClient
) -> None:
    assert settings.db_pool_size > 1  # the writers' transactions really overlap
    owner = await new_account()
    tracker = Tracker(Client(http, owner.token), owner.project_id)
    cursor = await tracker.cursor()
    total, done = WRITERS * MUTATIONS, 0

    async def write(k: int) -> None:
        nonlocal done
        for i in range(MUTATIONS):
            await tracker.todo_list(f"writer {k} #{i}")
            done += 1

    async def subscribe() -> list[int]:
        payload = {"authorization": f"Bearer {owner.token}"}
        async with GraphQLWebSocket.connect(server, payload) as ws:
            await ws.subscribe("1", EVENTS, {"p": [owner.project_id], "a": str(cursor)})
            return [int(e["id"]) for e in await ws.events(total, timeout=30)]

    async with following(app.state.services.feed, cursor, owner.project_id) as followed:
        writers = [asyncio.create_task(write(k)) for k in range(WRITERS)]
        subscribers = [asyncio.create_task(subscribe())]
        for step in range(1, 8):  # more subscribers join (and replay) while the writers commit
            await eventually(lambda step=step: done >= step * total // 8)
            subscribers.append(asyncio.create_task(subscribe()))
        await asyncio.gather(*writers)
        received = await asyncio.gather(*subscribers)
        # A last event: the stream is in id order, so anything more (a duplicate, an event
        # twice) would come before it.
        await tracker.todo_list("sentinel")
        await eventually(lambda: len(followed) > total)

    expected = [e.id for e in await tracker.events_since(cursor)]
    assert len(expected) == total + 1
    assert followed == expected
    for ids in received:
        assert ids == expected[:-1]


def _event(account: Account, title: str) -> NewEvent:
    return NewEvent("TAG_CREATED", account.company_id, account.project_id, None, None, {"t": title})


async def _naive_reader(project_id: str, after: int, seen: list[int]) -> None:
    """A cursor reader without the horizon: whatever is committed, in id order."""
    while True:
        rows = await Event.filter(id__gt=after, project_id=project_id).order_by("id")
        for row in rows:
            seen.append(row.id)
            after = row.id
        await asyncio.sleep(0.002)


async def test_a_late_commit_with_a_lower_id(app: Any) -> None:
    """A writes first (so holds the lower id) and commits after B. The tail waits for A and
    hands out A, B, C; a reader without the horizon moves past B and never sees A."""
    owner = await new_account()
    feed, announcer = app.state.services.feed, app.state.services.announcer
    a_inserted, a_may_commit = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> int:
        async with in_transaction():
            [row] = await append_events([_event(owner, "A")])
            a_inserted.set()
            await a_may_commit.wait()  # more work before its commit
        announcer.announce()
        return row.id

    async def quick_writer() -> int:
        async with in_transaction():
            [row] = await append_events([_event(owner, "B")])
        announcer.announce()
        return row.id

    naive: list[int] = []
    reader = asyncio.create_task(_naive_reader(owner.project_id, feed.position, naive))
    try:
        async with following(feed, feed.position, owner.project_id) as followed:
            a = asyncio.create_task(slow_writer())
            try:
                await a_inserted.wait()
                b_id = await quick_writer()  # committed while A is still open
                await eventually(lambda: b_id in naive)  # the naive reader is past B
                assert not followed  # the tail holds B back behind A
            finally:
                a_may_commit.set()
            a_id = await a
            assert a_id < b_id
            async with in_transaction():  # once this one is read, every earlier one was
                [last] = await append_events([_event(owner, "C")])
            announcer.announce()
            await eventually(lambda: last.id in followed and last.id in naive)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader

    stored = await Event.filter(project_id=owner.project_id).order_by("id")
    assert [e.id for e in stored] == [a_id, b_id, last.id]
    assert followed == [a_id, b_id, last.id]
    assert naive == [b_id, last.id]  # A is in the table, but the naive reader missed it
