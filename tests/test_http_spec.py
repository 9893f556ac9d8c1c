"""GraphQL over HTTP, to the spec (issue 11): the media types, the graphql-http audit suite run
with node against a live server, and CORS."""

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import Client
from tests.servers import GraphQLWebSocket, HooklineProcess, hookline_cli, uvicorn_server

AUDIT = Path(__file__).parent / "audit"
GRAPHQL_RESPONSE = "application/graphql-response+json"


async def ask(gql: Client, body: dict[str, Any], accept: str) -> httpx.Response:
    return await gql.http.post(
        "/graphql",
        json=body,
        headers={"Authorization": f"Bearer {gql.token}", "Accept": accept},
    )


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($t:Int){webhooks(take:$t){items{id}}}", {"t": "abc"}, "BAD_USER_INPUT"),
        ("query($x:String!){todo(id:$x){id}}", {"x": "a\x00"}, "BAD_USER_INPUT"),
    ],
)
async def test_a_request_that_never_ran_is_400_without_data(
    gql: Client, query: str, variables: dict[str, Any], code: str
) -> None:
    body = {"query": query, "variables": variables}
    response = await ask(gql, body, GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == code
    # Clients of application/json keep what they had: 200, with data null.
    legacy = await ask(gql, body, "application/json")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == "application/json"
    assert legacy.json() == {"data": None, "errors": answer["errors"]}


async def test_errors_of_fields_are_200_with_data(gql: Client) -> None:
    response = await ask(gql, {"query": '{todo(id:"nope"){id}}'}, GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "TODO_NOT_FOUND"
    response = await ask(gql, {"query": "{currentUser{id}}"}, GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
    ],
)
async def test_the_answer_has_the_media_type_asked_for(
    gql: Client, accept: str | None, media: str
) -> None:
    headers = {"Authorization": f"Bearer {gql.token}", "content-type": "application/json"}
    if accept is not None:
        headers["Accept"] = accept
    response = await gql.http.post(
        "/graphql", content=b'{"query":"{currentUser{id}}"}', headers=headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


@pytest.fixture
async def live(app: Any) -> AsyncIterator[str]:
    async with uvicorn_server(app) as address:
        yield address


async def test_the_graphql_http_audit_passes(live: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the audit is an npm package)")
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        pytest.skip("the audit's packages are not installed: run `npm ci` in tests/audit")
    process = await asyncio.create_subprocess_exec(
        node,
        "audit.mjs",
        f"http://{live}/graphql",
        cwd=AUDIT,  # an ES module resolves packages from its own folder's node_modules
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["total"] >= 60
    assert (result["warn"], result["error"]) == (0, 0), result["problems"]


ORIGIN = "https://app.example.com"


@dataclass
class CorsServer:
    address: str
    token: str


@pytest.fixture(scope="module")
async def cors_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CorsServer]:
    """`hookline serve` with HOOKLINE_CORS_ORIGINS set, on its own SQLite database."""
    folder = tmp_path_factory.mktemp("cors")
    env = {
        "HOOKLINE_DATABASE_URL": f"sqlite://{folder / 'hookline.db'}",
        "HOOKLINE_CORS_ORIGINS": f"{ORIGIN}, http://localhost:3000",
    }
    made = await hookline_cli(["bootstrap", "--company", "Cors", "--email", "c@cors.test"], env)
    async with HooklineProcess(env, folder / "serve.log") as server:
        yield CorsServer(server.address, made["token"])


async def test_cors_is_off_by_default(gql: Client) -> None:
    response = await gql.http.options(
        "/graphql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in response.headers
    response = await gql.http.post(
        "/graphql", json={"query": "{__typename}"}, headers={"Origin": ORIGIN}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cors_origins_are_allowed_with_preflight(cors_server: CorsServer) -> None:
    url = f"http://{cors_server.address}/graphql"
    async with httpx.AsyncClient() as http:
        preflight = await http.options(
            url,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, x-bloo-company-id",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed = {h.strip() for h in preflight.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type", "x-bloo-company-id"} <= {
            h.lower() for h in allowed
        }
        answer = await http.post(
            url,
            json={"query": "{currentUser{email}}"},
            headers={"Origin": ORIGIN, "Authorization": f"Bearer {cors_server.token}"},
        )
        assert answer.json() == {"data": {"currentUser": {"email": "c@cors.test"}}}
        assert answer.headers["access-control-allow-origin"] == ORIGIN
        other = await http.options(
            url,
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers


async def test_browser_websockets_follow_the_cors_origins(
    cors_server: CorsServer, app: Any
) -> None:
    payload = {"authorization": f"Bearer {cors_server.token}"}
    async with GraphQLWebSocket.connect(cors_server.address, payload, origin=ORIGIN) as socket:
        await socket.subscribe("1", "{currentUser{email}}")
        assert (await socket.payload())["data"] == {"currentUser": {"email": "c@cors.test"}}
    with pytest.raises(InvalidStatus):
        async with GraphQLWebSocket.connect(
            cors_server.address, payload, origin="https://evil.example"
        ):
            pass
    async with uvicorn_server(app) as address:  # no origins configured: a browser is refused
        with pytest.raises(InvalidStatus):
            async with GraphQLWebSocket.connect(address, {}, origin=ORIGIN):
                pass
