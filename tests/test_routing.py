"""An all-projects webhook receives the events of a project created a moment ago, in every
mode: the embedded process, an API and a bridge process over Redis, and the same without a
bus (the stored routing version); and a member removed a moment ago is heard in each mode."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, Account, Client, PgDatabase
from tests.receiver import Receiver
from tests.servers import HooklineProcess, RemoteGraphQL, bootstrap
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
            "postgres-no-bus",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL"),
        ),
    ]
)
async def split(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RemoteGraphQL]:
    """An API process and a bridge process sharing one database, with or without Redis."""
    database = None
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
    env["HOOKLINE_ALLOW_PRIVATE_URLS"] = "1"
    try:
        async with (
            HooklineProcess(env, tmp_path / "api.log") as api,
            HooklineProcess(env, tmp_path / "bridge.log", ("bridge",)),
            httpx.AsyncClient(timeout=10) as http,
        ):
            made = await bootstrap(env)
            gql = RemoteGraphQL(http, api.url, made)
            gql.made = made  # type: ignore[attr-defined]
            yield gql
    finally:
        if database is not None:
            database.drop()


async def test_split_processes(split: RemoteGraphQL, receiver: Receiver) -> None:
    await new_project_reaches_the_webhook(split, split.made, receiver)  # type: ignore[attr-defined]
