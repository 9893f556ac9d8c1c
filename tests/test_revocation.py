"""An open WebSocket keeps no old rights (issue 10, defect 1): every operation on a connection and
every event sent on a stream is authorised against current state. A removed member gets
FORBIDDEN on the next operation and no further events of the project; a revoked, expired or
deleted token gets UNAUTHENTICATED on the next operation and its streams end. One process here
(and `hookline token revoke` next to an embedded server); two processes: test_two_processes.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookline.accounts import token_for
from models import tokens
from models.accounts import ApiToken
from models.tracker import TodoList
from tests.conftest import Account, Client
from tests.servers import GraphQLWebSocket, HooklineProcess, hookline_cli, uvicorn_server
from tests.tracker import ADD_MEMBER, Tracker

EVENTS = "subscription($a:String){events(after:$a){id projectId currentValue}}"
WHO = "{currentUser{id}}"
CREATE_LIST = "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}"
READ_PROJECT = "query($p:String!){project(id:$p){id}}"
REMOVE_MEMBER = (
    "mutation($p:String!,$u:String!){removeProjectMember(input:{projectId:$p,userId:$u}){success}}"
)
CREATE_TOKEN = "mutation($i:CreateApiTokenInput!){createApiToken(input:$i){id token expiresAt}}"
REVOKE = "mutation($t:String!){revokeApiToken(input:{tokenId:$t}){success}}"


@pytest.fixture(scope="module")
async def server(app: Any) -> AsyncIterator[str]:
    async with uvicorn_server(app) as address:
        yield address


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def code(payload: dict[str, Any]) -> str:
    [error] = payload["errors"]
    return error["extensions"]["code"]


async def ended_with(ws: GraphQLWebSocket, op_id: str) -> dict[str, Any]:
    """The stream's last result, which must carry the error it ended with, and its end."""
    message = await ws.message_for(op_id)
    assert message["type"] == "next" and message["payload"].get("errors"), message
    assert (await ws.message_for(op_id))["type"] == "complete"
    [error] = message["payload"]["errors"]
    assert error["path"] == ["events"]
    return error


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.05)


async def second_project(gql: Client, owner: Account) -> str:
    created = await gql(
        'mutation($c:String!){createProject(input:{companyId:$c,name:"Ops"}){id}}',
        {"c": owner.company_id},
    )
    return created["createProject"]["id"]


async def test_a_removed_member_is_refused_on_the_socket_they_opened_before(
    server: str, gql: Client, owner: Account
) -> None:
    ops = await second_project(gql, owner)
    email = f"{uuid.uuid4().hex[:10]}@acme.test"
    member_id = (await gql(ADD_MEMBER, {"p": owner.project_id, "e": email, "l": "MEMBER"}))[
        "addProjectMember"
    ]["id"]
    await gql(ADD_MEMBER, {"p": ops, "e": email, "l": "MEMBER"})
    token = (await tokens.issue_token(member_id)).token
    web, other = Tracker(gql, owner.project_id), Tracker(gql, ops)
    cursor = str(max(await web.cursor(), await other.cursor()))
    async with GraphQLWebSocket.connect(server, auth(token)) as ws:
        await ws.subscribe("stream", EVENTS, {"a": cursor})
        assert (await ws.execute("1", READ_PROJECT, {"p": owner.project_id}))["data"]
        await gql(REMOVE_MEMBER, {"p": owner.project_id, "u": member_id})
        refused = await ws.execute("2", CREATE_LIST, {"p": owner.project_id, "t": "sneaky"})
        assert code(refused) == "FORBIDDEN"
        assert code(await ws.execute("3", READ_PROJECT, {"p": owner.project_id})) == "FORBIDDEN"
        await web.todo_list("After removal")  # not for them any more
        await other.todo_list("Still a member here")  # the barrier: it comes after
        message = await ws.message_for("stream")
    assert message["payload"]["data"]["events"]["projectId"] == ops
    assert message["payload"]["data"]["events"]["currentValue"]["title"] == "Still a member here"
    assert not await TodoList.filter(title="sneaky").exists()


async def member_token(gql: Client, owner: Account, **fields: Any) -> tuple[str, str, str]:
    """A member's first token (to act with) and a second one made with createApiToken."""
    email = f"{uuid.uuid4().hex[:10]}@acme.test"
    await gql(ADD_MEMBER, {"p": owner.project_id, "e": email, "l": "MEMBER"})
    first = (await token_for(email))["token"]
    member = Client(gql.http, first)
    made = (await member(CREATE_TOKEN, {"i": {"name": "socket", **fields}}))["createApiToken"]
    return first, made["id"], made["token"]


async def test_a_revoked_token_is_refused_on_an_open_socket_and_its_stream_ends(
    server: str, gql: Client, owner: Account, anonymous: Client
) -> None:
    first, token_id, token = await member_token(gql, owner)
    tracker = Tracker(gql, owner.project_id)
    async with GraphQLWebSocket.connect(server, auth(token)) as ws:
        await ws.subscribe("stream", EVENTS, {"a": str(await tracker.cursor())})
        assert (await ws.execute("1", WHO))["data"]
        assert (await Client(gql.http, first)(REVOKE, {"t": token_id}))["revokeApiToken"]
        body = await anonymous.raw(WHO, Authorization=f"Bearer {token}")
        assert code(body) == "UNAUTHENTICATED"  # HTTP, at once, though it was cached
        assert code(await ws.execute("2", WHO)) == "UNAUTHENTICATED"
        error = await ended_with(ws, "stream")  # at once: no event needed to notice
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_expired_token_is_refused_on_an_open_socket_and_its_stream_ends(
    server: str, gql: Client, owner: Account, anonymous: Client
) -> None:
    expires = datetime.now(UTC) + timedelta(seconds=2)
    _, _, token = await member_token(gql, owner, expiresAt=expires.isoformat())
    tracker = Tracker(gql, owner.project_id)
    async with GraphQLWebSocket.connect(server, auth(token)) as ws:
        await ws.subscribe("stream", EVENTS, {"a": str(await tracker.cursor())})
        await tracker.todo_list("Before expiry")
        before = await ws.message_for("stream")
        assert before["payload"]["data"]["events"]["currentValue"]["title"] == "Before expiry"
        while datetime.now(UTC) <= expires:  # waiting for the clock, not for a negative
            await asyncio.sleep(0.05)
        refused = await ws.execute("1", WHO)
        assert code(refused) == "UNAUTHENTICATED" and "expired" in refused["errors"][0]["message"]
        await tracker.todo_list("After expiry")
        error = await ended_with(ws, "stream")
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "expired" in error["message"]
    body = await anonymous.raw(WHO, Authorization=f"Bearer {token}")
    assert "expired" in body["errors"][0]["message"]


async def test_a_token_deleted_from_the_database_stops_working_on_an_open_socket(
    app: Any, server: str, gql: Client, owner: Account, anonymous: Client
) -> None:
    """Nobody announces a row deleted by hand: the cache forgets it after its age (30 s by
    default, shortened here), on HTTP and on the socket alike."""
    _, token_id, token = await member_token(gql, owner)
    authenticator = app.state.services.authenticator
    saved, authenticator.max_age = authenticator.max_age, 0.2
    try:
        async with GraphQLWebSocket.connect(server, auth(token)) as ws:
            assert (await ws.execute("1", WHO))["data"]
            await ApiToken.filter(id=token_id).delete()

            async def refused() -> bool:
                return "errors" in await anonymous.raw(WHO, Authorization=f"Bearer {token}")

            await eventually(refused)
            assert code(await ws.execute("2", WHO)) == "UNAUTHENTICATED"
    finally:
        authenticator.max_age = saved


async def test_cli_revocation_reaches_an_embedded_server_without_a_bus(tmp_path: Path) -> None:
    """`hookline token revoke` next to `hookline serve` on SQLite: no bus between them; the
    server finds the stored count moved within its poll interval."""
    env = {
        "HOOKLINE_DATABASE_URL": f"sqlite://{tmp_path / 'embedded.db'}",
        "HOOKLINE_EVENT_POLL_SECONDS": "0.2",
    }
    made = await hookline_cli(
        ["bootstrap", "--company", "Acme", "--email", "ops@acme.test", "--project", "Web"], env
    )
    async with (
        HooklineProcess(env, tmp_path / "serve.log", args=("serve",)) as serve,
        httpx.AsyncClient(timeout=10) as http,
    ):

        async def graphql(token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await http.post(
                f"{serve.url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            return response.json()

        async with GraphQLWebSocket.connect(serve.address, auth(made["token"])) as ws:
            await ws.subscribe("stream", EVENTS, {})
            assert (await ws.execute("1", WHO))["data"]
            await hookline_cli(["token", "revoke", "--id", made["tokenId"]], env)

            async def refused() -> bool:
                return "errors" in await graphql(made["token"], WHO, {})

            await eventually(refused, within=10)
            assert code(await ws.execute("2", WHO)) == "UNAUTHENTICATED"
            error = await ended_with(ws, "stream")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
