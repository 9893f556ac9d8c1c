"""kill -9 in the middle of a stream of changes: every event still arrives, duplicates keep
their webhook-id. The server runs as a real subprocess on a SQLite file."""

import asyncio
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

import httpx

from tests.receiver import Receiver
from tests.servers import HooklineProcess, RemoteGraphQL, bootstrap

TODOS = 2000
WRITERS = 8


def embedded(db: Path, log: Path) -> HooklineProcess:
    """`hookline serve` (API, bridge and dispatcher) on a SQLite file."""
    env = {"HOOKLINE_DATABASE_URL": f"sqlite://{db}", "HOOKLINE_ALLOW_PRIVATE_URLS": "1"}
    return HooklineProcess(env, log, args=("serve",))


async def write_todos(
    gql: RemoteGraphQL, list_id: str, numbers: range, stop: asyncio.Event
) -> None:
    query = "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}"
    for n in numbers:
        while not stop.is_set():
            try:
                await gql.raw(query, {"l": list_id, "t": f"todo {n}"})
                break
            except httpx.TransportError:
                # The server is down: this todo may or may not exist; send it again.
                await asyncio.sleep(0.05)


async def test_kill_9_loses_no_event(tmp_path: Path, receiver: Receiver) -> None:
    db = tmp_path / "crash.db"
    server = await embedded(db, tmp_path / "server.log").start()
    try:
        made = await bootstrap(server.env)
        async with httpx.AsyncClient(timeout=10) as http:
            gql = RemoteGraphQL(http, server.url, made)
            await gql(
                "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_CREATED]}){id}}",
                {"u": receiver.url},
            )
            list_id = (
                await gql(
                    'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}',
                    {"p": made["projectId"]},
                )
            )["createTodoList"]["id"]

            per_writer = TODOS // WRITERS
            chunks = [range(i * per_writer, (i + 1) * per_writer) for i in range(WRITERS)]
            stop = asyncio.Event()
            writers = [
                asyncio.create_task(write_todos(gql, list_id, chunk, stop)) for chunk in chunks
            ]
            # Kill the server once about a third of the todos are in.
            await receiver.wait_for(TODOS // 3, within=60)
            server.kill()
            await server.start()
            await asyncio.gather(*writers)
    finally:
        try:
            with sqlite3.connect(db) as connection:
                expected = {
                    str(row[0])
                    for row in connection.execute(
                        "SELECT id FROM event WHERE type = 'TODO_CREATED'"
                    )
                }
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                seen = {r.json["eventId"] for r in receiver.requests}
                if expected <= seen:
                    break
                await asyncio.sleep(0.1)
        finally:
            await server.stop()

    ids_by_event: dict[str, set[str]] = defaultdict(set)
    for request in receiver.requests:
        ids_by_event[request.json["eventId"]].add(request.headers["webhook-id"])
    assert len(expected) > TODOS * 0.9, "most todos were written"
    missing = expected - set(ids_by_event)
    assert not missing, f"{len(missing)} events never delivered"
    assert all(len(ids) == 1 for ids in ids_by_event.values()), "a duplicate changed webhook-id"
    assert set(ids_by_event) <= expected, "delivered an event that was never committed"
