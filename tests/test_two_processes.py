"""Two `hookline serve --no-bridge` processes on one PostgreSQL database and one Redis.

A subscriber on B hears a mutation made on A through the Redis bus, in milliseconds rather than
at B's next poll of the event table; when Redis drops every connection of both processes in the
middle of a stream, nothing is lost and the bus comes back. Access taken away on A (a member
removed, a token revoked there or on the command line) or a token's expiry holds on B's open
sockets from their next operation and event.
"""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis

from events.announcement import Announcement
from events.bus import CLIENT_NAME, RedisBus
from tests.conftest import POSTGRES_URL, REDIS_URL, PgDatabase
from tests.servers import GraphQLWebSocket, HooklineProcess, hookline_cli

pytestmark = pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL),
    reason="needs HOOKLINE_TEST_POSTGRES_URL and HOOKLINE_TEST_REDIS_URL",
)

# B polls the table only every POLL seconds here, so an event that arrives within QUICK came
# through Redis, not the poll. (The threshold is generous for a noisy machine, not a goal.)
POLL = 30
QUICK = 5.0
SUBSCRIPTION = "subscription($a:String){events(after:$a){id event currentValue}}"
CREATE_LIST = "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}"


@dataclass
class Cluster:
    a: HooklineProcess
    b: HooklineProcess
    database_url: str
    made: dict[str, Any]
    http: httpx.AsyncClient
    env: dict[str, str]

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.made['token']}"}

    async def create_list(self, title: str) -> None:
        """A mutation on A: one TODO_LIST_CREATED event."""
        response = await self.http.post(
            f"http://{self.a.address}/graphql",
            json={"query": CREATE_LIST, "variables": {"p": self.made["projectId"], "t": title}},
            headers=self.auth,
        )
        assert response.status_code == 200 and "errors" not in response.json(), response.text

    async def event_ids(self, after: int = 0) -> list[int]:
        conn = await asyncpg.connect(self.database_url)
        try:
            rows = await conn.fetch("SELECT id FROM event WHERE id > $1 ORDER BY id", after)
        finally:
            await conn.close()
        return [row["id"] for row in rows]


@pytest.fixture(scope="module")
def database() -> Iterator[PgDatabase]:
    assert POSTGRES_URL
    db = PgDatabase(POSTGRES_URL, f"hookline_2p_{uuid.uuid4().hex[:10]}")
    db.create()
    yield db
    db.drop()


@pytest.fixture(scope="module")
async def cluster(
    database: PgDatabase, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    assert REDIS_URL
    env = {
        "HOOKLINE_DATABASE_URL": database.url,
        "HOOKLINE_REDIS_URL": REDIS_URL,
        "HOOKLINE_EVENT_POLL_SECONDS": str(POLL),
    }
    logs = tmp_path_factory.mktemp("two-processes")
    made = await hookline_cli(
        ["bootstrap", "--company", "Acme", "--email", "ops@acme.test", "--project", "Web"], env
    )
    async with (
        HooklineProcess(env, logs / "a.log") as a,
        HooklineProcess(env, logs / "b.log") as b,
        httpx.AsyncClient(timeout=10) as http,
    ):
        yield Cluster(a, b, database.url, made, http, env)


async def eventually(condition: Callable[[], bool], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def latencies(cluster: Cluster, ws: GraphQLWebSocket, rounds: int) -> list[float]:
    """Seconds from sending a mutation to A until B's subscriber has its event."""
    measured = []
    for i in range(rounds):
        started = time.perf_counter()
        arrived = asyncio.create_task(ws.events(1))
        await cluster.create_list(f"ping {i}")
        [event] = await arrived
        measured.append(time.perf_counter() - started)
        assert event["currentValue"]["title"] == f"ping {i}"
    return measured


async def test_a_subscriber_on_b_hears_a_mutation_on_a_at_once(cluster: Cluster) -> None:
    [cursor] = (await cluster.event_ids())[-1:] or [0]
    async with GraphQLWebSocket.connect(cluster.b.address, cluster.auth) as ws:
        await ws.subscribe("1", SUBSCRIPTION, {"a": str(cursor)})
        measured = await latencies(cluster, ws, rounds=8)
    assert max(measured) < QUICK, measured


async def kill_bus_connections(redis: aioredis.Redis, pids: set[int]) -> int:
    """Drop every Redis connection of the given hookline processes, as a Redis restart does."""
    names = {f"{CLIENT_NAME}:{pid}" for pid in pids}
    killed = 0
    for client in await redis.client_list():
        if client.get("name") in names:
            killed += await redis.client_kill_filter(_id=client["id"])
    return killed


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    assert REDIS_URL
    client = aioredis.Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def pids(cluster: Cluster) -> set[int]:
    assert cluster.a.process is not None and cluster.b.process is not None
    return {cluster.a.process.pid, cluster.b.process.pid}


async def test_nothing_is_lost_while_redis_keeps_dropping_the_connections(
    cluster: Cluster, redis: aioredis.Redis
) -> None:
    [cursor] = (await cluster.event_ids())[-1:] or [0]
    async with GraphQLWebSocket.connect(cluster.b.address, cluster.auth) as ws:
        await ws.subscribe("1", SUBSCRIPTION, {"a": str(cursor)})
        await cluster.create_list("before")
        killed = 0
        for i in range(20):  # mutations on A while both processes keep losing Redis
            killed += await kill_bus_connections(redis, pids(cluster))
            await cluster.create_list(f"during {i}")
            await asyncio.sleep(0.02)
        await cluster.create_list("after")
        received = [int(e["id"]) for e in await ws.events(22, timeout=5)]
    assert killed >= 20
    assert received == await cluster.event_ids(cursor)


async def test_the_bus_recovers_at_once_after_a_drop(
    cluster: Cluster, redis: aioredis.Redis
) -> None:
    """Right after Redis drops them, A's publish and B's subscription are both back."""
    [cursor] = (await cluster.event_ids())[-1:] or [0]
    measured = []
    async with GraphQLWebSocket.connect(cluster.b.address, cluster.auth) as ws:
        await ws.subscribe("1", SUBSCRIPTION, {"a": str(cursor)})
        for _ in range(5):
            assert await kill_bus_connections(redis, pids(cluster)) >= 2
            measured += await latencies(cluster, ws, rounds=1)
    assert max(measured) < QUICK, measured
    subscribed = {c.get("name") for c in await redis.client_list(_type="pubsub")}
    assert {f"{CLIENT_NAME}:{pid}" for pid in pids(cluster)} <= subscribed


async def test_the_bus_catches_up_when_it_resubscribes(redis: aioredis.Redis) -> None:
    """Wake-ups published while a process was off the channel are lost: on resubscribing it
    wakes its own listeners, so they read the table at once instead of at the next poll."""
    assert REDIS_URL
    bus = RedisBus(REDIS_URL)
    heard: list[Announcement] = []
    bus.listen(heard.append)
    await bus.start()
    try:
        await eventually(lambda: Announcement.ACCESS in heard)  # subscribed (and caught up)
        heard.clear()
        assert await kill_bus_connections(redis, {os.getpid()}) >= 1
        await eventually(
            lambda: Announcement.ACCESS in heard
        )  # nobody published this: the catch-up
        assert Announcement.EVENTS in heard
    finally:
        await bus.stop()


WHO = "{currentUser{id}}"
ADD_MEMBER = """mutation($p:String!,$e:String!)
{addProjectMember(input:{projectId:$p,email:$e,level:MEMBER}){id}}"""
REMOVE_MEMBER = """mutation($p:String!,$u:String!)
{removeProjectMember(input:{projectId:$p,userId:$u}){success}}"""
CREATE_TOKEN = "mutation($i:CreateApiTokenInput!){createApiToken(input:$i){id token}}"
REVOKE = "mutation($t:String!){revokeApiToken(input:{tokenId:$t}){success}}"
STREAM = "subscription($a:String){events(after:$a){id projectId currentValue}}"


async def call(
    cluster: Cluster, process: HooklineProcess, token: str, query: str, **variables: Any
) -> dict[str, Any]:
    response = await cluster.http.post(
        f"http://{process.address}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    return response.json()


async def member(cluster: Cluster, *projects: str) -> tuple[str, str]:
    """A new MEMBER of these projects (added on A) and a token of theirs: (user id, token)."""
    email = f"{uuid.uuid4().hex[:10]}@acme.test"
    user_id = ""
    for project in projects:
        added = await call(
            cluster, cluster.a, cluster.made["token"], ADD_MEMBER, p=project, e=email
        )
        user_id = added["data"]["addProjectMember"]["id"]
    made = await hookline_cli(["token", "create", "--email", email], cluster.env)
    return user_id, made["token"]


def refused_with(payload: dict[str, Any]) -> str:
    [error] = payload["errors"]
    return error["extensions"]["code"]


async def stream_error(ws: GraphQLWebSocket, op_id: str) -> dict[str, Any]:
    """The error a stream ended with (its last result), after its end."""
    message = await ws.message_for(op_id)
    assert message["type"] == "next" and message["payload"].get("errors"), message
    assert (await ws.message_for(op_id))["type"] == "complete"
    [error] = message["payload"]["errors"]
    return error


async def refused_on_b(cluster: Cluster, token: str, within: float) -> float:
    """Seconds until B refuses the token over HTTP (a barrier: B has forgotten it)."""
    started = time.perf_counter()
    while "errors" not in await call(cluster, cluster.b, token, WHO):
        assert time.perf_counter() - started < within, "B still accepts the token"
        await asyncio.sleep(0.01)
    return time.perf_counter() - started


async def test_a_member_removed_on_a_is_refused_on_b_at_once(cluster: Cluster) -> None:
    owner = cluster.made["token"]
    created = await call(
        cluster,
        cluster.a,
        owner,
        'mutation($c:String!){createProject(input:{companyId:$c,name:"Ops"}){id}}',
        c=cluster.made["companyId"],
    )
    ops, web = created["data"]["createProject"]["id"], cluster.made["projectId"]
    user_id, token = await member(cluster, web, ops)
    [cursor] = (await cluster.event_ids())[-1:] or [0]
    read = "query($p:String!){project(id:$p){id}}"
    async with GraphQLWebSocket.connect(
        cluster.b.address, {"authorization": f"Bearer {token}"}
    ) as ws:
        await ws.subscribe("stream", STREAM, {"a": str(cursor)})
        assert (await ws.execute("1", read, {"p": web}))["data"]
        removed = await call(cluster, cluster.a, owner, REMOVE_MEMBER, p=web, u=user_id)
        assert removed["data"]["removeProjectMember"]["success"]
        attempt = await ws.execute("2", CREATE_LIST, {"p": web, "t": "sneaky"})
        assert refused_with(attempt) == "FORBIDDEN"
        for project, title in ((web, "hidden"), (ops, "visible")):
            made = await call(cluster, cluster.a, owner, CREATE_LIST, p=project, t=title)
            assert "errors" not in made, made
        event = (await ws.message_for("stream"))["payload"]["data"]["events"]
    assert (event["projectId"], event["currentValue"]["title"]) == (ops, "visible")


async def test_a_token_revoked_on_a_is_refused_on_b_and_its_stream_ends(cluster: Cluster) -> None:
    _, first = await member(cluster, cluster.made["projectId"])
    made = (await call(cluster, cluster.a, first, CREATE_TOKEN, i={"name": "b"}))["data"]
    token_id, token = made["createApiToken"]["id"], made["createApiToken"]["token"]
    [cursor] = (await cluster.event_ids())[-1:] or [0]
    async with GraphQLWebSocket.connect(
        cluster.b.address, {"authorization": f"Bearer {token}"}
    ) as ws:
        await ws.subscribe("stream", STREAM, {"a": str(cursor)})
        assert (await ws.execute("1", WHO))["data"]  # B has it cached now
        revoked = await call(cluster, cluster.a, first, REVOKE, t=token_id)
        assert revoked["data"]["revokeApiToken"]["success"]
        # B polls the stored count only every POLL seconds: only Redis explains this.
        assert await refused_on_b(cluster, token, within=QUICK) < QUICK
        assert refused_with(await ws.execute("2", WHO)) == "UNAUTHENTICATED"
        error = await stream_error(ws, "stream")  # without waiting for an event
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_expired_token_is_refused_on_b_and_its_stream_ends(cluster: Cluster) -> None:
    _, first = await member(cluster, cluster.made["projectId"])
    expires = datetime.now(UTC) + timedelta(seconds=2)
    made = await call(
        cluster, cluster.a, first, CREATE_TOKEN, i={"name": "b", "expiresAt": expires.isoformat()}
    )
    token = made["data"]["createApiToken"]["token"]
    [cursor] = (await cluster.event_ids())[-1:] or [0]
    async with GraphQLWebSocket.connect(
        cluster.b.address, {"authorization": f"Bearer {token}"}
    ) as ws:
        await ws.subscribe("stream", STREAM, {"a": str(cursor)})
        assert (await ws.execute("1", WHO))["data"]
        while datetime.now(UTC) <= expires:  # waiting for the clock, not for a negative
            await asyncio.sleep(0.05)
        refused = await ws.execute("2", WHO)
        assert refused_with(refused) == "UNAUTHENTICATED"
        assert "expired" in refused["errors"][0]["message"]
        await cluster.create_list("after expiry")
        error = await stream_error(ws, "stream")
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "expired" in error["message"]


async def test_a_token_revoked_on_the_command_line_is_refused_on_both_at_once(
    cluster: Cluster,
) -> None:
    """With HOOKLINE_REDIS_URL set, `hookline token revoke` announces it over Redis."""
    _, token = await member(cluster, cluster.made["projectId"])
    token_id = token.split(".")[0]
    for process in (cluster.a, cluster.b):  # cached in both
        assert "errors" not in await call(cluster, process, token, WHO)
    await hookline_cli(["token", "revoke", "--id", token_id], cluster.env)
    assert await refused_on_b(cluster, token, within=QUICK) < QUICK
    assert "errors" in await call(cluster, cluster.a, token, WHO)
