"""Beyond one machine: 2 API and 2 bridge processes on PostgreSQL and Redis. kill -9 the bridge
that holds the matcher lock mid-stream: every event still arrives, duplicates keep their
webhook-id, and deliveries claimed by the dead process are retried after their lease."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, PgDatabase
from tests.receiver import Receiver
from tests.test_cli import free_port

pytestmark = pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL),
    reason="needs HOOKLINE_TEST_POSTGRES_URL and HOOKLINE_TEST_REDIS_URL",
)

EVENTS = 5000
WRITERS = 16
HOOKLINE = [sys.executable, "-m", "hookline.cli"]


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("a") as out:
        return subprocess.Popen([*HOOKLINE, *args], env=env, stdout=out, stderr=out)


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(400):
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not become ready")


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
    api_ports, bridge_ports = [free_port(), free_port()], [free_port(), free_port()]
    # All four start at once: their migrations must not collide.
    processes = [
        spawn(["serve", "--no-bridge", "--port", str(p)], env, tmp_path / f"api{p}.log")
        for p in api_ports
    ]
    bridges = {
        p: spawn(["bridge", "--port", str(p)], env, tmp_path / f"bridge{p}.log")
        for p in bridge_ports
    }
    processes += bridges.values()
    try:
        for port in api_ports + bridge_ports:
            await wait_ready(f"http://127.0.0.1:{port}")
        made = json.loads(
            subprocess.run(
                [
                    *HOOKLINE,
                    "bootstrap",
                    "--company",
                    "Fleet",
                    "--email",
                    "fleet@acme.test",
                    "--project",
                    "Web",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        headers = {
            "Authorization": f"Bearer {made['token']}",
            "X-Bloo-Company-ID": made["companyId"],
        }
        apis = [f"http://127.0.0.1:{p}/graphql" for p in api_ports]
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:

            async def gql(url: str, query: str, variables: dict) -> dict:
                body = (
                    await client.post(url, json={"query": query, "variables": variables})
                ).json()
                assert "errors" not in body, body
                return body["data"]

            await gql(
                apis[0],
                "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_CREATED]}){id}}",
                {"u": receiver.url},
            )
            list_id = (
                await gql(
                    apis[1],
                    'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}',
                    {"p": made["projectId"]},
                )
            )["createTodoList"]["id"]
            numbers = iter(range(EVENTS))

            async def writer(n: int) -> None:
                for i in numbers:
                    await gql(
                        apis[(n + i) % 2],
                        "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}",
                        {"l": list_id, "t": f"todo {i}"},
                    )

            writers = asyncio.gather(*(writer(n) for n in range(WRITERS)))
            while len(receiver.requests) < EVENTS // 3:
                await asyncio.sleep(0.01)
            leaders = []
            for port in bridge_ports:
                health = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
                if health["matcher"]:
                    leaders.append(port)
            assert len(leaders) == 1, "exactly one bridge matches"
            bridges[leaders[0]].send_signal(signal.SIGKILL)
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
        survivor = next(p for p in bridge_ports if p != leaders[0])
        health = httpx.get(f"http://127.0.0.1:{survivor}/healthz").json()
        assert health["matcher"], "the surviving bridge took over the matcher"
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=30)
        database.drop()

    ids_by_event: dict[str, set[str]] = defaultdict(set)
    for request in receiver.requests:
        ids_by_event[request.json["eventId"]].add(request.headers["webhook-id"])
    missing = expected - set(ids_by_event)
    assert not missing, f"{len(missing)} events never delivered"
    assert all(len(ids) == 1 for ids in ids_by_event.values())
