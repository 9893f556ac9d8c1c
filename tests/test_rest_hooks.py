"""REST Hooks (issue 13): the life cycle exactly as Zapier drives it — subscribe, a live event at
the target URL, `recent` in the same shape, unsubscribe, nothing more — and every refusal as a
real HTTP status with the JSON error body."""

import asyncio
import dataclasses
import hashlib
import hmac
import uuid
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from standardwebhooks import Webhook as StandardWebhook
from starlette.applications import Starlette

from hookline import rest_hooks
from hookline.admission import caller_key
from hookline.ratelimit import Limits
from hookline.settings import Settings
from models.accounts import CompanyUser
from models.webhooks import Webhook
from tests.barriers import bridge_settled
from tests.conftest import Account, Client, new_account
from tests.receiver import Receiver
from tests.tracker import Tracker, member


def key(account: Account | Client) -> dict[str, str]:
    """Zapier's way: the token in X-API-Key, no company header."""
    return {"X-API-Key": str(account.token)}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"], error
    return error


async def subscribe(
    http: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await http.post("/rest-hooks", json=body, headers=headers)


async def test_the_zapier_life_cycle(
    app: Any, http: httpx.AsyncClient, gql: Client, owner: Account, receiver: Receiver
) -> None:
    # performSubscribe
    response = await subscribe(http, key(owner), target_url=receiver.url, event="TODO_CREATED")
    assert response.status_code == 201, response.text
    made = response.json()
    assert made.keys() >= {"id", "secret", "target_url", "events", "project_ids"}
    assert (made["target_url"], made["events"], made["project_ids"]) == (
        receiver.url,
        ["TODO_CREATED"],
        [],
    )
    assert made["secret"].startswith("whsec_") and made["enabled"] is True
    assert response.headers["Location"] == f"/rest-hooks/{made['id']}"
    # The same webhook GraphQL sees, in the caller's only company.
    stored = await Webhook.get(id=made["id"])
    assert (stored.company_id, stored.created_by_id) == (owner.company_id, owner.user_id)
    one = await http.get(f"/rest-hooks/{made['id']}", headers=key(owner))
    assert one.status_code == 200 and "secret" not in one.json()
    assert one.json() == {k: v for k, v in made.items() if k != "secret"}
    listed = (await http.get("/rest-hooks", headers=key(owner))).json()
    assert [h["id"] for h in listed] == [made["id"]]

    # A live event at the target URL, signed with the secret.
    todo = await Tracker(gql, owner.project_id).todo(title="From Zapier")
    [delivery] = await receiver.wait_for(1)
    expected = hmac.new(made["secret"].encode(), delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["X-Signature"] == expected
    StandardWebhook(made["secret"]).verify(delivery.body, delivery.headers)
    body = delivery.json
    assert body["event"] == "TODO_CREATED" and body["currentValue"]["id"] == todo
    assert body["id"] == body["eventId"]

    # performList: recent events in exactly the delivered shape.
    await bridge_settled(app)
    recent = await http.get(
        "/rest-hooks/recent",
        params={"event": "TODO_CREATED", "limit": "3", "hook_id": made["id"]},
        headers=key(owner),
    )
    assert recent.status_code == 200, recent.text
    first = recent.json()[0]
    assert {**first, "webhook": None} == {**body, "webhook": None}
    assert first["webhook"].keys() == body["webhook"].keys()
    assert first["webhook"]["id"] == made["id"]

    # performUnsubscribe, twice: 204 both times; then nothing more is delivered.
    for _ in range(2):
        gone = await http.delete(f"/rest-hooks/{made['id']}", headers=key(owner))
        assert gone.status_code == 204 and gone.content == b""
    error_of(
        await http.get(f"/rest-hooks/{made['id']}", headers=key(owner)), 404, "WEBHOOK_NOT_FOUND"
    )
    await Tracker(gql, owner.project_id).todo(title="After")
    await bridge_settled(app)
    assert len(receiver.requests) == 1


async def test_events_and_bearer_and_projects(
    http: httpx.AsyncClient, owner: Account, receiver: Receiver
) -> None:
    bearer = {"Authorization": f"Bearer {owner.token}"}
    response = await subscribe(
        http,
        bearer,
        target_url=receiver.url,
        events=["TAG_CREATED", "TAG_DELETED", "TAG_CREATED"],
        project_ids=[owner.project_id],
        name="Make",
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["events"], made["project_ids"], made["name"]) == (
        ["TAG_CREATED", "TAG_DELETED"],
        [owner.project_id],
        "Make",
    )
    types = (await http.get("/rest-hooks/event-types", headers=bearer)).json()
    assert len(types) == 37 and {t["group"] for t in types} >= {"todo", "custom_field"}
    assert types[0].keys() == {"event", "group", "description", "schema", "sample"}
    # Without events yet: the sample, in the delivery's shape.
    [sample] = (
        await http.get("/rest-hooks/recent?event=COMMENT_DELETED,TAG_DELETED", headers=bearer)
    ).json()
    assert sample["event"] == "COMMENT_DELETED" and sample["id"] == "0"


async def test_the_openapi_document(http: httpx.AsyncClient) -> None:
    response = await http.get("/rest-hooks/openapi.json")  # no token needed
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert set(document["paths"]) == {
        "/rest-hooks",
        "/rest-hooks/{hook_id}",
        "/rest-hooks/recent",
        "/rest-hooks/event-types",
        "/rest-hooks/openapi.json",
    }
    assert "DeliveryBody" in document["components"]["schemas"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "No token"),
        ({"X-API-Key": "nope.nope"}, "Unknown token"),
        ({"X-API-Key": "no-dot"}, "Malformed"),
        ({"Authorization": "Bearer nope.nope"}, "Unknown token"),
    ],
)
async def test_401_without_a_valid_token(
    http: httpx.AsyncClient, receiver: Receiver, headers: dict[str, str], message: str
) -> None:
    for response in (
        await subscribe(http, headers, target_url=receiver.url, event="TODO_CREATED"),
        await http.get("/rest-hooks", headers=headers),
        await http.get("/rest-hooks/abc", headers=headers),
        await http.delete("/rest-hooks/abc", headers=headers),
        await http.get("/rest-hooks/recent?event=TODO_CREATED", headers=headers),
        await http.get("/rest-hooks/event-types", headers=headers),
    ):
        error = error_of(response, 401, "UNAUTHENTICATED")
        assert error["message"].startswith(message)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event": "TODO_CREATED"}, "target_url"),
        ({"target_url": "URL"}, "event"),
        ({"target_url": "URL", "event": "TODO_CREATED", "events": ["TAG_CREATED"]}, "event"),
        ({"target_url": "URL", "event": "NOPE"}, "event"),
        ({"target_url": "URL", "events": []}, "events"),
        ({"target_url": "URL", "events": "TAG_CREATED"}, "events"),
        ({"target_url": "URL", "event": "TAG_CREATED", "project_ids": "x"}, "project_ids"),
        ({"target_url": "URL", "event": "TAG_CREATED", "hookUrl": "x"}, "hookUrl"),
        ({"target_url": "ftp://example.com/x", "event": "TAG_CREATED"}, "url"),
        ({"target_url": "URL", "event": "TAG_CREATED", "name": 3}, "name"),
    ],
)
async def test_400_names_what_to_fix(
    http: httpx.AsyncClient, owner: Account, receiver: Receiver, body: dict[str, Any], field: str
) -> None:
    body = {k: receiver.url if v == "URL" else v for k, v in body.items()}
    error = error_of(await subscribe(http, key(owner), **body), 400, "BAD_USER_INPUT")
    assert error["field"] == field


async def test_400_for_bodies_and_queries(http: httpx.AsyncClient, owner: Account) -> None:
    for content in (b"{", b"[]", b"\xff", b"[" * 100_000):  # the last nests past the parser
        response = await http.post("/rest-hooks", content=content, headers=key(owner))
        error_of(response, 400, "BAD_USER_INPUT")
    for query in (
        "",
        "?event=",
        "?event=NOPE",
        "?event=TAG_CREATED&limit=0",
        "?event=TAG_CREATED&limit=x",
    ):
        error_of(
            await http.get(f"/rest-hooks/recent{query}", headers=key(owner)), 400, "BAD_USER_INPUT"
        )
    error_of(await http.get("/rest-hooks?limit=1000", headers=key(owner)), 400, "BAD_USER_INPUT")


async def test_400_when_the_company_is_ambiguous(
    http: httpx.AsyncClient, owner: Account, receiver: Receiver
) -> None:
    other = await new_account("Other")
    await CompanyUser.create(company_id=other.company_id, user_id=owner.user_id, level="OWNER")
    body = {"target_url": receiver.url, "event": "TAG_CREATED"}
    error = error_of(await subscribe(http, key(owner), **body), 400, "BAD_USER_INPUT")
    assert error["field"] == "X-Bloo-Company-ID" and "X-Bloo-Company-ID" in error["message"]
    chosen = await subscribe(http, {**key(owner), "X-Bloo-Company-ID": other.company_id}, **body)
    assert chosen.status_code == 201
    assert (await Webhook.get(id=chosen.json()["id"])).company_id == other.company_id


async def test_403_and_404_follow_the_webhook_rules(
    http: httpx.AsyncClient, gql: Client, owner: Account, receiver: Receiver
) -> None:
    body = {"target_url": receiver.url, "event": "TAG_CREATED"}
    colleague = await member(gql, owner, "MEMBER")
    # Every project needs company OWNER/ADMIN; one project needs its ADMIN.
    error_of(await subscribe(http, key(colleague), **body), 403, "FORBIDDEN")
    listed = await subscribe(http, key(colleague), **body, project_ids=[owner.project_id])
    error_of(listed, 403, "FORBIDDEN")
    error_of(
        await subscribe(http, key(owner), **body, project_ids=["nope"]), 404, "PROJECT_NOT_FOUND"
    )
    made = (await subscribe(http, key(owner), **body)).json()
    # A colleague may not read or delete the owner's hook; a stranger finds nothing at all.
    error_of(await http.get(f"/rest-hooks/{made['id']}", headers=key(colleague)), 403, "FORBIDDEN")
    error_of(
        await http.delete(f"/rest-hooks/{made['id']}", headers=key(colleague)), 403, "FORBIDDEN"
    )
    stranger = await new_account("Stranger")
    missing = await http.get("/rest-hooks/nope", headers=key(stranger))
    theirs = await http.get(f"/rest-hooks/{made['id']}", headers=key(stranger))
    error_of(theirs, 404, "WEBHOOK_NOT_FOUND")
    assert (
        theirs.json()["error"]["message"].replace(made["id"], "nope")
        == (missing.json()["error"]["message"])
    )
    assert (
        await http.delete(f"/rest-hooks/{made['id']}", headers=key(stranger))
    ).status_code == 204
    assert await Webhook.exists(id=made["id"])  # a stranger's 204 deleted nothing
    error_of(
        await http.get(
            f"/rest-hooks/recent?event=TAG_CREATED&hook_id={made['id']}", headers=key(stranger)
        ),
        404,
        "WEBHOOK_NOT_FOUND",
    )


async def test_409_at_the_cap(http: httpx.AsyncClient, owner: Account, receiver: Receiver) -> None:
    body = {"target_url": receiver.url, "event": "TAG_CREATED"}
    for _ in range(3):  # the tests' cap (tests.conftest.settings)
        assert (await subscribe(http, key(owner), **body)).status_code == 201
    error_of(await subscribe(http, key(owner), **body), 409, "PLAN_LIMIT_REACHED")


async def test_405_names_the_methods(http: httpx.AsyncClient, owner: Account) -> None:
    response = await http.put("/rest-hooks", headers=key(owner))
    error_of(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["Allow"] == "GET, POST"


async def test_429_with_retry_after(app: Any, owner: Account, receiver: Receiver) -> None:
    """Counted as GraphQL operations are: by token, and by address without one."""
    limits = Limits.from_settings(
        Settings(rate_limit_requests="2/minute", rate_limit_anonymous="1/minute"),
        prefix=uuid.uuid4().hex,
    )
    limited = Starlette(routes=rest_hooks.routes())
    limited.state.services = dataclasses.replace(app.state.services, limiter=limits)
    transport = httpx.ASGITransport(app=limited)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for _ in range(2):
                assert (await http.get("/rest-hooks", headers=key(owner))).status_code == 200
            for response in (
                await http.get("/rest-hooks", headers=key(owner)),
                await subscribe(http, key(owner), target_url=receiver.url, event="TAG_CREATED"),
            ):
                error = error_of(response, 429, "RATE_LIMITED")
                assert int(response.headers["Retry-After"]) >= 1
                assert "per token" in error["message"]
            error_of(await http.get("/rest-hooks"), 401, "UNAUTHENTICATED")
            error_of(await http.get("/rest-hooks"), 429, "RATE_LIMITED")
    finally:
        await limits.close()


async def test_requests_waiting_beyond_the_tokens_queue_get_429(app: Any, owner: Account) -> None:
    """Turns are taken by credential as GraphQL's are, with the same bound on those waiting."""
    caps = Settings(max_concurrent_operations_per_token=1, max_waiting_requests_per_token=1)
    limits = Limits.from_settings(caps, prefix=uuid.uuid4().hex)
    limited = Starlette(routes=rest_hooks.routes())
    limited.state.services = dataclasses.replace(app.state.services, limiter=limits)
    transport = httpx.ASGITransport(app=limited)
    release = asyncio.Event()
    turn = caller_key({"Authorization": f"Bearer {owner.token}"}, None)  # X-API-Key's too

    async def hold() -> None:
        async with limits.turn(turn):
            await release.wait()

    held = [asyncio.create_task(hold()) for _ in range(2)]  # one running, one waiting
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await asyncio.sleep(0)
            response = await http.get("/rest-hooks", headers=key(owner))
            error = error_of(response, 429, "RATE_LIMITED")
            assert response.headers["Retry-After"] == "1"
            assert "waiting for their turn" in error["message"]
            release.set()
            await asyncio.gather(*held)
            assert (await http.get("/rest-hooks", headers=key(owner))).status_code == 200
    finally:
        await limits.close()


async def test_a_410_answer_disables_the_hook(
    app: Any, http: httpx.AsyncClient, gql: Client, owner: Account, receiver: Receiver
) -> None:
    made = (
        await subscribe(http, key(owner), target_url=receiver.url, event="TODO_LIST_CREATED")
    ).json()
    receiver.answer(410)
    await Tracker(gql, owner.project_id).todo_list()
    await receiver.wait_for(1)
    await bridge_settled(app)
    hook = (await http.get(f"/rest-hooks/{made['id']}", headers=key(owner))).json()
    assert (hook["enabled"], hook["status"]) == (False, "UNHEALTHY")
    assert hook["disabled_reason"]
    await Tracker(gql, owner.project_id).todo_list()
    await bridge_settled(app)
    assert len(receiver.requests) == 1
