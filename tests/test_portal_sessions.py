"""Portal sessions: a restricted principal that manages only the webhooks of its company (or
some of its projects), uses no other operation, and stops at its expiry or revocation."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.portal import PortalSession
from resolvers.portal_gate import PORTAL_FIELDS, WebhookOperationsOnly
from schema.root import Mutation, Query, Subscription
from tests.conftest import Account, Client, new_account
from tests.receiver import Receiver
from tests.servers import GraphQLWebSocket, uvicorn_server
from tests.tracker import LIST, READ, UPDATE, create, member

CREATE_SESSION = (
    "mutation($i:CreatePortalSessionInput!){createPortalSession(input:$i)"
    "{id url token expiresAt companyId projectIds}}"
)
REVOKE = "mutation($s:String!){revokePortalSession(input:{sessionId:$s}){success}}"
SESSIONS = (
    "query($c:String!,$e:Boolean){portalSessions(companyId:$c,includeEnded:$e)"
    "{id projectIds active revokedAt}}"
)
ME = "{portalSession{id company{id name} projectIds projects{id name} expiresAt active}}"
DISABLE = "mutation($w:String!){disableWebhook(input:{webhookId:$w}){success}}"
NEW_PROJECT = "mutation($c:String!,$n:String!){createProject(input:{companyId:$c,name:$n}){id}}"


async def session(gql: Client, company_id: str, **fields: Any) -> dict[str, Any]:
    variables = {"i": {"companyId": company_id, **fields}}
    return (await gql(CREATE_SESSION, variables))["createPortalSession"]


def as_portal(gql: Client, made: dict[str, Any]) -> Client:
    """The session's token, and no company header: the session names its company itself."""
    return Client(gql.http, made["token"])


async def test_a_session_link_and_its_token(gql: Client, owner: Account) -> None:
    made = await session(gql, owner.company_id, expiresInMinutes=30)
    assert made["token"].startswith(f"hlp_{made['id']}.")
    assert made["url"] == f"http://test/portal#token={made['token']}"
    left = datetime.fromisoformat(made["expiresAt"]) - datetime.now(UTC)
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)
    assert (made["companyId"], made["projectIds"]) == (owner.company_id, [])
    shown = (await as_portal(gql, made)(ME))["portalSession"]
    assert shown["company"]["id"] == owner.company_id and shown["active"] is True
    assert [p["id"] for p in shown["projects"]] == [owner.project_id]
    assert (await gql(ME))["portalSession"] is None  # an API token is no session
    for minutes in (0, 1441):
        error = await gql.error(
            CREATE_SESSION, {"i": {"companyId": owner.company_id, "expiresInMinutes": minutes}}
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "expiresInMinutes"}


async def test_only_owners_and_admins_create_and_revoke(
    gql: Client, owner: Account, http: httpx.AsyncClient
) -> None:
    made = await session(gql, owner.company_id)
    colleague = await member(gql, owner, "ADMIN")  # project ADMIN, company MEMBER
    error = await colleague.error(CREATE_SESSION, {"i": {"companyId": owner.company_id}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await colleague.error(REVOKE, {"s": made["id"]}))["extensions"]["code"] == "FORBIDDEN"
    stranger = await new_account("Elsewhere")
    outsider = Client(http, stranger.token, stranger.company_id)
    error = await outsider.error(REVOKE, {"s": made["id"]})
    assert error["extensions"]["code"] == "PORTAL_SESSION_NOT_FOUND"  # as a missing one
    assert (await gql.error(REVOKE, {"s": "nope"}))["extensions"]["code"] == (
        "PORTAL_SESSION_NOT_FOUND"
    )
    other_project = await outsider(NEW_PROJECT, {"c": stranger.company_id, "n": "X"})
    error = await gql.error(
        CREATE_SESSION,
        {
            "i": {
                "companyId": owner.company_id,
                "projectIds": [other_project["createProject"]["id"]],
            }
        },
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "projectIds"}


async def test_a_project_session_sees_and_saves_only_its_scope(
    gql: Client, owner: Account, receiver: Receiver, http: httpx.AsyncClient
) -> None:
    second = (await gql(NEW_PROJECT, {"c": owner.company_id, "n": "Mobile"}))["createProject"]
    inside = await create(gql, receiver.url, projectIds=[owner.project_id])
    wider = await create(gql, receiver.url, projectIds=[owner.project_id, second["id"]])
    everything = await create(gql, receiver.url)
    for hook in (wider, everything):  # the test company's cap is 3 enabled webhooks
        await gql(DISABLE, {"w": hook["id"]})
    stranger = await new_account("Elsewhere")
    theirs = await create(Client(http, stranger.token, stranger.company_id), receiver.url)
    made = await session(gql, owner.company_id, projectIds=[owner.project_id])
    portal = as_portal(gql, made)

    listed = (await portal(LIST, {"t": 100}))["webhooks"]
    assert [w["id"] for w in listed["items"]] == [inside["id"]]
    assert listed["pageInfo"]["totalItems"] == 1
    assert (await portal(READ, {"w": inside["id"]}))["webhook"]["id"] == inside["id"]
    for outside in (wider, everything, theirs):
        error = await portal.error(READ, {"w": outside["id"]})
        assert error["extensions"]["code"] == "WEBHOOK_NOT_FOUND", outside
    # Nothing outside: not through any other webhook operation either.
    for query in (
        "mutation($w:String!){deleteWebhook(input:{webhookId:$w}){success}}",
        "mutation($w:String!){rotateWebhookSecret(input:{webhookId:$w}){secret}}",
        "query($w:String!){webhookDeliveryLog(webhookId:$w){items{id}}}",
    ):
        error = await portal.error(query, {"w": theirs["id"]})
        assert error["extensions"]["code"] == "WEBHOOK_NOT_FOUND", query

    created = await create(portal, receiver.url, projectIds=[owner.project_id])
    assert created["createdById"] == owner.user_id and created["secret"].startswith("whsec_")
    for scope in ([], [second["id"]], [owner.project_id, second["id"]]):
        error = await portal.error(
            "mutation($i:CreateWebhookInput!){createWebhook(input:$i){id}}",
            {"i": {"url": receiver.url, "projectIds": scope}},
        )
        assert error["extensions"] == {"code": "FORBIDDEN", "field": "projectIds"}, scope
    error = await portal.error(
        UPDATE, {"i": {"webhookId": created["id"], "projectIds": [second["id"]]}}
    )
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "projectIds"}
    shown = (await portal(ME))["portalSession"]
    assert shown["projectIds"] == [owner.project_id]
    assert [p["id"] for p in shown["projects"]] == [owner.project_id]


async def test_a_company_session_covers_every_project(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    everything = await create(gql, receiver.url)
    portal = as_portal(gql, await session(gql, owner.company_id))
    assert (await portal(READ, {"w": everything["id"]}))["webhook"]["id"] == everything["id"]
    assert (await create(portal, receiver.url))["projectIds"] == []


@pytest.mark.parametrize(
    "query",
    [
        "{currentUser{id}}",
        "{projectList{id}}",
        "query($c:String!){company(id:$c){id}}",
        "query($c:String!){portalSessions(companyId:$c){id}}",
        'mutation($c:String!){createProject(input:{companyId:$c,name:"x"}){id}}',
        "mutation($c:String!){createPortalSession(input:{companyId:$c}){token}}",
    ],
)
async def test_no_operation_but_the_webhook_portals(
    gql: Client, owner: Account, query: str
) -> None:
    portal = as_portal(gql, await session(gql, owner.company_id))
    variables = {"c": owner.company_id} if "$c" in query else {}
    error = await portal.error(query, variables)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "portal session may only manage webhooks" in error["message"]


async def test_no_subscription_either(app: Any, gql: Client, owner: Account) -> None:
    made = await session(gql, owner.company_id)
    async with (
        uvicorn_server(app) as address,
        GraphQLWebSocket.connect(address, {"authorization": f"Bearer {made['token']}"}) as ws,
    ):
        await ws.subscribe("1", "subscription{events{id}}")
        message = await ws.receive()
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN", message


def test_every_other_root_field_is_gated() -> None:
    for root in (Query, Mutation, Subscription):
        for field in root.__strawberry_definition__.fields:
            gated = any(isinstance(e, WebhookOperationsOnly) for e in field.extensions)
            assert gated is (field.python_name not in PORTAL_FIELDS), field.python_name


async def test_expiry_and_revocation_hold_at_once(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url)
    expiring = await session(gql, owner.company_id)
    revoked = await session(gql, owner.company_id)
    for made in (expiring, revoked):
        assert (await as_portal(gql, made)(READ, {"w": hook["id"]}))["webhook"]
    # Time passes for one (its row says it ended a moment ago), the other is revoked.
    await PortalSession.filter(id=expiring["id"]).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await gql(REVOKE, {"s": revoked["id"]}))["revokePortalSession"]["success"]
    for made, reason in ((expiring, "expired"), (revoked, "revoked")):
        error = await as_portal(gql, made).error(READ, {"w": hook["id"]})
        assert error["extensions"]["code"] == "UNAUTHENTICATED" and reason in error["message"]
    active = (await gql(SESSIONS, {"c": owner.company_id}))["portalSessions"]
    assert {expiring["id"], revoked["id"]}.isdisjoint(s["id"] for s in active)
    ended = (await gql(SESSIONS, {"c": owner.company_id, "e": True}))["portalSessions"]
    assert {s["id"]: s["active"] for s in ended}[revoked["id"]] is False
