"""UNAUTHENTICATED says why: no token sent, a malformed one, or one this server does not know."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import connect

from hookline.auth import MALFORMED, NO_TOKEN, UNKNOWN
from tests.conftest import Account, Client
from tests.servers import LEGACY_WS, uvicorn_server


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, NO_TOKEN),
        ({"X-Bloo-Company-ID": "acme"}, NO_TOKEN),
        ({"Authorization": "Basic abc"}, MALFORMED),
        ({"Authorization": "Bearer no-dot"}, MALFORMED),
        ({"Authorization": "Bearer nope.nope"}, UNKNOWN),
        ({"X-Bloo-Token-ID": "x", "X-Bloo-Token-Secret": "y"}, UNKNOWN),
    ],
)
async def test_unauthenticated_says_why(
    anonymous: Client, headers: dict[str, str], message: str
) -> None:
    body = await anonymous.raw("{currentUser{id}}", **headers)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == message


async def test_a_wrong_secret_reads_like_an_unknown_token(
    anonymous: Client, owner: Account
) -> None:
    token_id = owner.token.split(".")[0]
    body = await anonymous.raw("{currentUser{id}}", Authorization=f"Bearer {token_id}.wrong")
    assert body["errors"][0]["message"] == UNKNOWN  # which token ids exist is not told


@pytest.fixture(scope="module")
async def server(app: Any) -> AsyncIterator[str]:
    async with uvicorn_server(app) as address:
        yield address


@pytest.mark.parametrize(
    ("payload", "message"),
    [({}, NO_TOKEN), ({"authorization": "Bearer nope.nope"}, UNKNOWN)],
)
async def test_a_refused_socket_says_why(
    server: str, payload: dict[str, str], message: str
) -> None:
    async with connect(f"ws://{server}/graphql", subprotocols=[LEGACY_WS]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        answer = json.loads(await socket.recv())
    assert answer == {"type": "connection_error", "payload": {"message": message}}
