"""kill -9 in the middle of a stream of changes: every event still arrives, duplicates keep
their webhook-id. The server runs as a real subprocess on a SQLite file."""

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

from tests.receiver import Receiver
from tests.test_cli import free_port

TODOS = 2000
WRITERS = 8


class Server:
    def __init__(self, db: Path, log: Path) -> None:
        self.db, self.log = db, log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "HOOKLINE_DATABASE_URL": f"sqlite://{db}",
            "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hookline.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"server did not start; see {self.log}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def client(self, made: dict[str, str]) -> httpx.AsyncClient:
        """An HTTP client authenticated as the bootstrapped owner."""
        headers = {
            "Authorization": f"Bearer {made['token']}",
            "X-Bloo-Company-ID": made["companyId"],
        }
        return httpx.AsyncClient(headers=headers, timeout=10)

    async def gql(self, client: httpx.AsyncClient, query: str, variables: dict) -> dict:
        """The data of a GraphQL operation that must succeed."""
        response = await client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def bootstrap(self) -> dict[str, str]:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "hookline.cli",
                "bootstrap",
                "--company",
                "Acme",
                "--email",
                "crash@acme.test",
                "--project",
                "Web",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)


async def write_todos(
    client: httpx.AsyncClient, url: str, list_id: str, numbers: range, stop: asyncio.Event
) -> None:
    query = "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}"
    for n in numbers:
        if stop.is_set():
            return
        try:
            await client.post(
                f"{url}/graphql",
                json={"query": query, "variables": {"l": list_id, "t": f"todo {n}"}},
            )
        except httpx.TransportError:
            await asyncio.sleep(0.05)  # the server is down; this todo may or may not exist


async def test_kill_9_loses_no_event(tmp_path: Path, receiver: Receiver) -> None:
    server = Server(tmp_path / "crash.db", tmp_path / "server.log")
    await server.start()
    try:
        made = server.bootstrap()
        async with server.client(made) as client:

            async def gql(query: str, variables: dict) -> dict:
                return await server.gql(client, query, variables)

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
                asyncio.create_task(write_todos(client, server.url, list_id, chunk, stop))
                for chunk in chunks
            ]
            # Kill the server once about a third of the todos are in.
            while len(receiver.requests) < TODOS // 3:
                await asyncio.sleep(0.01)
            server.kill()
            await asyncio.sleep(0.2)
            await server.start()
            await asyncio.gather(*writers)
    finally:
        try:
            with sqlite3.connect(server.db) as db:
                expected = {
                    str(row[0])
                    for row in db.execute("SELECT id FROM event WHERE type = 'TODO_CREATED'")
                }
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                seen = {r.json["eventId"] for r in receiver.requests}
                if expected <= seen:
                    break
                await asyncio.sleep(0.1)
        finally:
            server.stop()

    ids_by_event: dict[str, set[str]] = defaultdict(set)
    for request in receiver.requests:
        ids_by_event[request.json["eventId"]].add(request.headers["webhook-id"])
    assert len(expected) > TODOS * 0.9, "most todos were written"
    missing = expected - set(ids_by_event)
    assert not missing, f"{len(missing)} events never delivered"
    assert all(len(ids) == 1 for ids in ids_by_event.values()), "a duplicate changed webhook-id"
    assert set(ids_by_event) <= expected, "delivered an event that was never committed"
