"""Rates and quotas (issue 10): per token, per client address, per webhook; 429 with
Retry-After over HTTP, RATE_LIMITED in GraphQL, 4429 for sockets; shared through Redis.

Each test serves the app's GraphQL view with its own, small limits (and a fresh key prefix),
over httpx's ASGI transport or a real uvicorn for WebSockets, on the session's database.
"""

import asyncio
import contextlib
import dataclasses
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from events.log import latest_id
from hookline.admission import AdmitSockets, caller_key
from hookline.graphql_view import HooklineGraphQL
from hookline.ratelimit import Limits
from hookline.settings import Settings
from schema.root import schema
from tests.conftest import REDIS_URL, Account, Client, new_account
from tests.receiver import Receiver
from tests.servers import GraphQLWebSocket, uvicorn_server

ME = "{currentUser{id}}"
EVENTS = "subscription($a:String){todoListEvents(after:$a){id event}}"
CREATE_LIST = 'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}'
TEST = "mutation($w:String!){testWebhook(input:{webhookId:$w}){status}}"


@dataclasses.dataclass
class Limited:
    """The GraphQL view with its own limits."""

    view: Any
    limits: Limits

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.view), base_url="http://t")


@contextlib.asynccontextmanager
async def limited(app: Any, prefix: str | None = None, **limits: Any) -> AsyncIterator[Limited]:
    built = Limits.from_settings(Settings(**limits), prefix=prefix or uuid.uuid4().hex)
    services = dataclasses.replace(app.state.services, limiter=built)
    try:
        yield Limited(AdmitSockets(HooklineGraphQL(schema, services), built), built)
    finally:
        await built.close()


def bearer(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


async def post(
    http: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any
) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def refused(response: httpx.Response) -> dict[str, Any]:
    """The RATE_LIMITED error of a request refused with 429."""
    assert response.status_code == 429, response.text
    seconds = response.headers["Retry-After"]
    assert seconds.isdigit() and int(seconds) >= 1
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(seconds)
    return error


async def test_requests_per_token_are_refused_with_429(
    app: Any, owner: Account, caplog: pytest.LogCaptureFixture
) -> None:
    other = await new_account()
    async with limited(app, rate_limit_requests="3/minute") as server, server.http() as http:
        for _ in range(3):
            assert (await post(http, ME, bearer(owner))).status_code == 200
        with caplog.at_level(logging.INFO):
            error = refused(await post(http, ME, bearer(owner)))
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert error["message"] == "Rate limit exceeded: 3 requests per token per minute"
        spec = {**bearer(owner), "Accept": "application/graphql-response+json"}
        refused(await post(http, ME, spec))  # 429 under GraphQL over HTTP's media type too
        # Another token has its own count.
        answer = await post(http, ME, bearer(other))
        assert answer.status_code == 200 and "errors" not in answer.json()


async def test_requests_without_a_valid_token_count_per_address(app: Any, owner: Account) -> None:
    async with limited(app, rate_limit_anonymous="2/minute") as server, server.http() as http:
        anonymous = await post(http, ME, {})
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        wrong = {"Authorization": f"Bearer {owner.token.split('.')[0]}.wrong"}
        assert (await post(http, ME, wrong)).status_code == 200  # UNAUTHENTICATED, counted
        refused(await post(http, ME, {}))
        assert (await post(http, ME, bearer(owner))).status_code == 200


@pytest.mark.skipif(not REDIS_URL, reason="HOOKLINE_TEST_REDIS_URL is not set (no Redis)")
async def test_rates_hold_across_processes_through_redis(app: Any, owner: Account) -> None:
    # Two limiters on one Redis, as two processes would have: they count together.
    prefix = uuid.uuid4().hex
    rates = {"redis_url": REDIS_URL, "rate_limit_requests": "4/minute"}
    async with (
        limited(app, prefix, **rates) as first,
        limited(app, prefix, **rates) as second,
        first.http() as one,
        second.http() as two,
    ):
        for http in (one, two, one, two):
            assert (await post(http, ME, bearer(owner))).status_code == 200
        refused(await post(http, ME, bearer(owner)))
        refused(await post(one, ME, bearer(owner)))


async def test_test_webhook_is_limited_per_webhook_and_per_token(
    app: Any, owner: Account, receiver: Receiver
) -> None:
    limits = {
        "rate_limit_test_webhook": "2/minute",
        "rate_limit_test_webhook_per_token": "3/minute",
    }
    async with limited(app, **limits) as server, server.http() as http:
        headers = {**bearer(owner), "X-Bloo-Company-ID": owner.company_id}
        first = await create_hook(http, headers, receiver.url)
        second = await create_hook(http, headers, receiver.url)

        async def test(webhook_id: str) -> dict[str, Any]:
            return (await post(http, TEST, headers, w=webhook_id)).json()

        for _ in range(2):
            assert (await test(first))["data"]["testWebhook"]["status"] == "SUCCEEDED"
        per_webhook = (await test(first))["errors"][0]
        assert per_webhook["extensions"]["code"] == "RATE_LIMITED"
        assert "2 test sends and redeliveries per webhook per minute" in per_webhook["message"]
        assert (await test(second))["data"]["testWebhook"]["status"] == "SUCCEEDED"
        per_token = (await test(second))["errors"][0]
        assert per_token["extensions"]["code"] == "RATE_LIMITED"
        assert "3 test sends and redeliveries per token" in per_token["message"]
        assert per_token["extensions"]["retryAfter"] >= 1
    assert len(receiver.requests) == 3  # nothing was sent for the refused ones


async def test_a_portal_session_is_counted_like_a_token(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    """Portal sessions, handed to people who are not users, were counted by no limit per
    token: requests, test sends, sockets and turns went unmetered. Each session is counted
    as a token of its own."""
    made = await gql(
        "mutation($i:CreatePortalSessionInput!){createPortalSession(input:$i){token}}",
        {"i": {"companyId": owner.company_id}},
    )
    portal = {"Authorization": f"Bearer {made['createPortalSession']['token']}"}
    limits = {"rate_limit_requests": "4/minute", "rate_limit_test_webhook_per_token": "1/minute"}
    async with limited(app, **limits) as server, server.http() as http:
        first = await create_hook(http, portal, receiver.url)
        second = await create_hook(http, portal, receiver.url)
        sent = (await post(http, TEST, portal, w=first)).json()
        assert sent["data"]["testWebhook"]["status"] == "SUCCEEDED"
        # Another webhook, so the rate per webhook is not what refuses it.
        error = (await post(http, TEST, portal, w=second)).json()["errors"][0]
        assert "test sends and redeliveries per token" in error["message"]
        refused(await post(http, ME, portal))  # the fifth request
        answer = await post(http, ME, bearer(owner))  # the user's own token counts apart
        assert answer.status_code == 200 and "errors" not in answer.json()
    assert len(receiver.requests) == 1


async def create_hook(http: httpx.AsyncClient, headers: dict[str, str], url: str) -> str:
    query = "mutation($u:String!){createWebhook(input:{url:$u}){id}}"
    body = (await post(http, query, headers, u=url)).json()
    assert not body.get("errors"), body
    return body["data"]["createWebhook"]["id"]


# -- WebSockets --------------------------------------------------------------------------


def init(account: Account) -> dict[str, str]:
    return {"authorization": f"Bearer {account.token}"}


async def closed_with(address: str, payload: dict[str, Any]) -> tuple[int, str]:
    """Connect, send connection_init, and return how the server closed the socket."""
    async with connect(
        f"ws://{address}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    ) as sock:
        await sock.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(sock.recv(), 10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_open_connections_per_token(app: Any, owner: Account) -> None:
    async with (
        limited(app, max_connections_per_token=2) as server,
        uvicorn_server(server.view) as address,
        GraphQLWebSocket.connect(address, init(owner)),
    ):
        async with GraphQLWebSocket.connect(address, init(owner)):
            code, reason = await closed_with(address, init(owner))
            assert code == 4429
            assert reason == "Quota reached: at most 2 open WebSocket connections per token"
            # Another token is not affected.
            async with GraphQLWebSocket.connect(address, init(await new_account())):
                pass
        # A closed socket gives its place back.
        async with GraphQLWebSocket.connect(address, init(owner)):
            pass


async def test_new_connections_per_token_are_rated(app: Any, owner: Account) -> None:
    async with (
        limited(app, rate_limit_connections="2/minute") as server,
        uvicorn_server(server.view) as address,
    ):
        for _ in range(2):
            async with GraphQLWebSocket.connect(address, init(owner)):
                pass
        code, reason = await closed_with(address, init(owner))
        assert code == 4429 and reason.startswith("Rate limit exceeded: 2 new WebSocket")


async def test_refused_tokens_count_against_the_address(app: Any, owner: Account) -> None:
    async with (
        limited(app, rate_limit_anonymous="1/minute") as server,
        uvicorn_server(server.view) as address,
    ):
        wrong = {"authorization": "Bearer nope.nope"}
        assert (await closed_with(address, wrong))[0] == 4403  # refused, counted
        code, reason = await closed_with(address, wrong)
        assert code == 4429 and "without a valid token per client address" in reason


async def test_sockets_awaiting_connection_init_per_address(app: Any, owner: Account) -> None:
    async with (
        limited(app, max_pending_connections_per_address=2) as server,
        uvicorn_server(server.view) as address,
    ):
        url = f"ws://{address}/graphql"
        protocols = ["graphql-transport-ws"]
        async with connect(url, subprotocols=protocols), connect(url, subprotocols=protocols):  # type: ignore[arg-type]
            with pytest.raises(InvalidStatus) as excinfo:
                async with connect(url, subprotocols=protocols):  # type: ignore[arg-type]
                    pass
            assert excinfo.value.response.status_code == 429
        # Authenticated sockets no longer wait: they do not hold the address's places.
        async with (
            GraphQLWebSocket.connect(address, init(owner)),
            GraphQLWebSocket.connect(address, init(owner)),
            GraphQLWebSocket.connect(address, init(owner)),
        ):
            pass


async def test_open_subscriptions_per_token(app: Any, owner: Account) -> None:
    async with (
        limited(app, max_subscriptions_per_token=2) as server,
        uvicorn_server(server.view) as address,
        server.http() as http,
        GraphQLWebSocket.connect(address, init(owner)) as ws,
        GraphQLWebSocket.connect(address, init(owner)) as other,
    ):
        after = {"a": str(await latest_id())}  # no event is missed while they start
        await ws.subscribe("1", EVENTS, after)
        await other.subscribe("2", EVENTS, after)
        await post(http, CREATE_LIST, bearer(owner), p=owner.project_id)
        await ws.events(1)  # both streams are live: each holds its place
        await other.events(1)
        await ws.subscribe("3", EVENTS, after)
        message = await ws.receive()
        assert message["type"] == "error" and message["id"] == "3", message
        [error] = message["payload"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["message"] == "Quota reached: at most 2 open subscriptions per token"
        # Completing one gives its place back (soon: its stream is closed in the background).
        await other.socket.send(json.dumps({"id": "2", "type": "complete"}))
        for attempt in range(100):
            await ws.subscribe(f"4.{attempt}", EVENTS, after)  # replays the event at once
            message = await ws.receive()
            if message["type"] == "next":
                break
            assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
            await asyncio.sleep(0.05)
        assert message["type"] == "next" and message["id"] == f"4.{attempt}", message


async def test_operations_on_a_socket_count_against_the_token(app: Any, owner: Account) -> None:
    async with (
        limited(app, rate_limit_requests="2/minute") as server,
        uvicorn_server(server.view) as address,
        GraphQLWebSocket.connect(address, init(owner)) as ws,
    ):
        for n in range(2):
            await ws.subscribe(str(n), ME)
            assert "errors" not in await ws.payload()
            assert (await ws.receive())["type"] == "complete"
        await ws.subscribe("3", ME)
        message = await ws.receive()
        assert message["type"] == "error" and message["id"] == "3", message
        assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        await ws.subscribe("4", "{currentUser{id}}")  # the socket lives on
        assert (await ws.receive())["payload"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_connection_flood_from_one_token_is_bounded(app: Any, owner: Account) -> None:
    """Issue 10 defect 4: one token opened 300 connections (30,000 subscriptions)."""
    defaults = Settings()
    async with limited(app) as server, uvicorn_server(server.view) as address:
        outcomes: list[str] = []
        sockets: list[Any] = []

        async def one() -> None:
            sock = await connect(
                f"ws://{address}/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            )
            sockets.append(sock)
            await sock.send(json.dumps({"type": "connection_init", "payload": init(owner)}))
            try:
                reply = json.loads(await asyncio.wait_for(sock.recv(), 30))
                outcomes.append(reply["type"])
            except ConnectionClosed as exc:
                outcomes.append(str(exc.rcvd.code if exc.rcvd else None))

        try:
            for _ in range(6):  # 300 in waves of 50, none of them ever closed
                await asyncio.gather(*(one() for _ in range(50)))
        finally:
            await asyncio.gather(*(s.close() for s in sockets))
    assert outcomes.count("connection_ack") == defaults.max_connections_per_token
    assert outcomes.count("4429") == 300 - defaults.max_connections_per_token


async def test_a_tokens_operations_take_turns(app: Any) -> None:
    """A burst from one token queues behind itself: other tokens' operations go first."""
    limits = Limits.from_settings(Settings(max_concurrent_operations_per_token=2))
    running, peak = 0, 0
    release = asyncio.Event()

    async def operation() -> None:
        nonlocal running, peak
        async with limits.turn("burst"):
            running += 1
            peak = max(peak, running)
            await release.wait()
            running -= 1

    burst = [asyncio.create_task(operation()) for _ in range(10)]
    while running < 2:
        await asyncio.sleep(0)
    async with asyncio.timeout(5), limits.turn("someone else"):
        assert running == 2  # the burst is held at two while another token runs
    release.set()
    await asyncio.gather(*burst)
    assert peak == 2 and running == 0


async def test_an_operation_waiting_on_another_host_lends_its_turn(app: Any) -> None:
    """While an operation stands aside its token's next one runs; it queues to come back."""
    limits = Limits.from_settings(Settings(max_concurrent_operations_per_token=1))
    order: list[str] = []
    aside, other_running, other_done = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def waiting_on_a_receiver() -> None:
        async with limits.turn("token"):
            async with limits.aside():
                aside.set()
                await other_running.wait()
            order.append("back")

    async def next_operation() -> None:
        async with limits.turn("token"):
            order.append("other")
            other_running.set()
            await other_done.wait()

    first = asyncio.create_task(waiting_on_a_receiver())
    await aside.wait()
    async with asyncio.timeout(5):
        second = asyncio.create_task(next_operation())
        await other_running.wait()  # the one turn was lent
    for _ in range(20):
        await asyncio.sleep(0)
    assert order == ["other"]  # the first waits for the turn back
    other_done.set()
    await asyncio.gather(first, second)
    assert order == ["other", "back"]


async def test_a_test_send_that_hangs_does_not_hold_the_tokens_turn(
    app: Any, owner: Account, receiver: Receiver
) -> None:
    async with (
        limited(app, max_concurrent_operations_per_token=1) as server,
        server.http() as http,
    ):
        headers = {**bearer(owner), "X-Bloo-Company-ID": owner.company_id}
        hook = await create_hook(http, headers, receiver.url)
        receiver.answer(200, delay=30.0)  # past the session's delivery timeout
        sending = asyncio.create_task(post(http, TEST, headers, w=hook))
        await receiver.wait_for(1)  # the send is out, waiting on the receiver
        answer = await post(http, ME, headers)
        assert answer.status_code == 200 and "errors" not in answer.json()
        assert not sending.done()  # it answered while the send still hung
        assert (await sending).json()["data"]["testWebhook"]["status"] == "FAILED"  # timed out


async def test_requests_waiting_beyond_the_tokens_queue_are_refused_at_the_door(
    app: Any, owner: Account
) -> None:
    caps = {"max_concurrent_operations_per_token": 1, "max_waiting_requests_per_token": 2}
    async with limited(app, **caps) as server, server.http() as http:
        key = caller_key(bearer(owner), None)
        release = asyncio.Event()

        async def hold() -> None:
            async with server.limits.turn(key):
                await release.wait()

        held = [asyncio.create_task(hold()) for _ in range(3)]  # one running, two waiting
        await asyncio.sleep(0)
        error = refused(await post(http, ME, bearer(owner)))
        assert error["message"] == (
            "Quota reached: at most 2 requests per token waiting for their turn"
        )
        other = await new_account()  # another token's requests are not held
        assert "errors" not in (await post(http, ME, bearer(other))).json()
        release.set()
        await asyncio.gather(*held)
        assert "errors" not in (await post(http, ME, bearer(owner))).json()
