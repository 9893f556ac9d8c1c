"""Beyond one machine: 2 API and 2 bridge processes on PostgreSQL and Redis. kill -9 the bridge
that holds the matcher lock mid-stream: every event still arrives, duplicates keep their
webhook-id, and deliveries claimed by the dead process are retried after their lease."""

import asyncio
import os
import uuid
from collections import defaultdict
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, PgDatabase
from tests.receiver import Receiver
from tests.servers import HooklineProcess, bootstrap

pytestmark = [
    pytest.mark.skipif(
        not (POSTGRES_URL and REDIS_URL),
        reason="needs HOOKLINE_TEST_POSTGRES_URL and HOOKLINE_TEST_REDIS_URL",
    ),
    # Four processes and 5,000 events on two cores: more than the suite's default minutes.
    pytest.mark.timeout(300),
]

EVENTS = 5000
WRITERS = 16


async def test_fleet_survives_losing_the_matcher(tmp_path: Path, receiver: Receiver) -> None:
    database = PgDatabase(POSTGRES_URL, f"hookline_fleet_{uuid.uuid4().hex[:8]}")
    database.create()
    env = {
        **os.environ,
        "HOOKLINE_DATABASE_URL": database.url,
        "HOOKLINE_REDIS_URL": REDIS_URL,
        "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
        "HOOKLINE_CLAIM_LEASE_SECONDS": "3",
        "HOOKLINE_DELIVERY_TIMEOUT": "0.3",  # the lease is at least 10 timeouts
    }
    apis = [HooklineProcess(env, tmp_path / f"api{n}.log") for n in range(2)]
    bridges = [HooklineProcess(env, tmp_path / f"bridge{n}.log", ("bridge",)) for n in range(2)]
    processes = apis + bridges
    try:
        # All four start at once: their migrations must not collide.
        await asyncio.gather(*(p.start() for p in processes))
        made = await bootstrap(env, company="Fleet")
        headers = {
            "Authorization": f"Bearer {made['token']}",
            "X-Bloo-Company-ID": made["companyId"],
        }
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:

            async def gql(url: str, query: str, variables: dict) -> dict:
                body = (
                    await client.post(
                        f"{url}/graphql", json={"query": query, "variables": variables}
                    )
                ).json()
                assert "errors" not in body, body
                return body["data"]

            await gql(
                apis[0].url,
                "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_CREATED]}){id}}",
                {"u": receiver.url},
            )
            list_id = (
                await gql(
                    apis[1].url,
                    'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}',
                    {"p": made["projectId"]},
                )
            )["createTodoList"]["id"]
            numbers = iter(range(EVENTS))

            async def writer(n: int) -> None:
                for i in numbers:
                    await gql(
                        apis[(n + i) % 2].url,
                        "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}",
                        {"l": list_id, "t": f"todo {i}"},
                    )

            writers = asyncio.gather(*(writer(n) for n in range(WRITERS)))
            while len(receiver.requests) < EVENTS // 3:
                await asyncio.sleep(0.01)
            leaders = [
                bridge
                for bridge in bridges
                if (await client.get(f"{bridge.url}/healthz")).json()["matcher"]
            ]
            assert len(leaders) == 1, "exactly one bridge matches"
            leaders[0].kill()
            await writers

        connection = await asyncpg.connect(database.url)
        try:
            expected = {
                str(r["id"])
                for r in await connection.fetch("SELECT id FROM event WHERE type = 'TODO_CREATED'")
            }
        finally:
            await connection.close()
        assert len(expected) == EVENTS
        for _ in range(600):
            if expected <= {r.json["eventId"] for r in receiver.requests}:
                break
            await asyncio.sleep(0.1)
        [survivor] = [b for b in bridges if b is not leaders[0]]
        async with httpx.AsyncClient() as client:
            health = (await client.get(f"{survivor.url}/healthz")).json()
        assert health["matcher"], "the surviving bridge took over the matcher"
    finally:
        await asyncio.gather(*(p.stop() for p in processes))
        database.drop()

    ids_by_event: dict[str, set[str]] = defaultdict(set)
    for request in receiver.requests:
        ids_by_event[request.json["eventId"]].add(request.headers["webhook-id"])
    missing = expected - set(ids_by_event)
    assert not missing, f"{len(missing)} events never delivered"
    assert all(len(ids) == 1 for ids in ids_by_event.values())
