"""An all-projects webhook receives the events of a project created a moment ago, in every
mode: the embedded process, an API and a bridge process over Redis, the same with their Redis
gone down, and without a bus (the stored routing version); and a member removed a moment ago
is heard in each mode."""

import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, Account, Client, PgDatabase
from tests.receiver import Receiver
from tests.servers import HooklineProcess, RemoteGraphQL, bootstrap, free_port
from tests.tracker import Tracker, create

CREATE_PROJECT = "mutation($c:String!,$n:String!){createProject(input:{companyId:$c,name:$n}){id}}"


async def new_project_reaches_the_webhook(
    gql: Client | RemoteGraphQL, made: dict, receiver: Receiver
) -> None:
    await create(gql, receiver.url)  # every event of every project
    await Tracker(gql, made["projectId"]).todo_list("warm up")
    await receiver.wait_for(1)  # the bridge has loaded its index by now
    created = await gql(CREATE_PROJECT, {"c": made["companyId"], "n": "Fresh"})
    fresh = created["createProject"]["id"]
    await Tracker(gql, fresh).todo_list("first in the new project")
    _, second = await receiver.wait_for(2)
    assert second.json["event"] == "TODO_LIST_CREATED"
    assert second.json["project"]["id"] == fresh


async def test_embedded(gql: Client, owner: Account, receiver: Receiver) -> None:
    made = {"companyId": owner.company_id, "projectId": owner.project_id}
    await new_project_reaches_the_webhook(gql, made, receiver)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite-no-bus"),
        pytest.param(
            "postgres-redis",
            marks=pytest.mark.skipif(
                not (POSTGRES_URL and REDIS_URL), reason="needs PostgreSQL and Redis"
            ),
        ),
        pytest.param(
            "postgres-redis-down",
            marks=pytest.mark.skipif(
                not (POSTGRES_URL and shutil.which("redis-server")),
                reason="needs PostgreSQL and a redis-server to start and stop",
            ),
        ),
        pytest.param(
            "postgres-no-bus",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL"),
        ),
    ]
)
async def split(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RemoteGraphQL]:
    """An API process and a bridge process sharing one database, with or without Redis; in
    "postgres-redis-down" their own Redis is stopped once both have started."""
    database = None
    stack = contextlib.ExitStack()
    if request.param == "sqlite":
        env = {"HOOKLINE_DATABASE_URL": f"sqlite://{tmp_path / 'split.db'}"}
    else:
        assert POSTGRES_URL
        database = PgDatabase(POSTGRES_URL, f"hookline_split_{uuid.uuid4().hex[:8]}")
        database.create()
        env = {"HOOKLINE_DATABASE_URL": database.url}
        if request.param == "postgres-redis":
            assert REDIS_URL
            env["HOOKLINE_REDIS_URL"] = REDIS_URL
        if request.param == "postgres-redis-down":
            env["HOOKLINE_REDIS_URL"] = stack.enter_context(private_redis())
    env["HOOKLINE_ALLOW_PRIVATE_URLS"] = "1"
    try:
        async with (
            HooklineProcess(env, tmp_path / "api.log") as api,
            HooklineProcess(env, tmp_path / "bridge.log", ("bridge",)),
            httpx.AsyncClient(timeout=10) as http,
        ):
            stack.close()  # Redis goes down under both processes
            made = await bootstrap(env)
            gql = RemoteGraphQL(http, api.url, made)
            gql.made = made  # type: ignore[attr-defined]
            yield gql
    finally:
        stack.close()
        if database is not None:
            database.drop()


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server of this test's own, which it may stop (the machine's is shared)."""
    port = free_port()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    server = subprocess.Popen([*args, "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                break
            assert server.poll() is None, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.kill()
        server.wait()


async def test_split_processes(split: RemoteGraphQL, receiver: Receiver) -> None:
    await new_project_reaches_the_webhook(split, split.made, receiver)  # type: ignore[attr-defined]
