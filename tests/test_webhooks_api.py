"""Webhook management (API.md §4): Blue's rules, error codes, and what Blue lacks."""

import base64
import hashlib
import hmac

import pytest

from models.webhooks import Webhook
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.tracker import CREATE, LIST, READ, UPDATE, Tracker, create, member


async def stored_webhooks(company_id: str) -> int:
    return await Webhook.filter(company_id=company_id).count()


async def test_create_returns_the_secret_once(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    made = await create(gql, receiver.url, name="CI", events=["TODO_CREATED"])
    assert made["secret"].startswith("whsec_")
    assert len(base64.b64decode(made["secret"].removeprefix("whsec_"))) == 32
    assert made["status"] == "HEALTHY" and made["enabled"] is True
    assert made["metadata"] == {"events": ["TODO_CREATED"], "projectIds": []}
    assert made["createdById"] == owner.user_id
    assert (await gql(READ, {"w": made["id"]}))["webhook"]["secret"] is None
    assert all(i["secret"] is None for i in (await gql(LIST))["webhooks"]["items"])
    updated = (await gql(UPDATE, {"i": {"webhookId": made["id"], "name": "CI 2"}}))["updateWebhook"]
    assert updated["secret"] is None and updated["name"] == "CI 2"


async def test_company_header_is_required(gql: Client, owner: Account, receiver: Receiver) -> None:
    headless = Client(gql.http, gql.token)
    error = await headless.error(CREATE, {"i": {"url": receiver.url}})
    assert (
        error["extensions"]["code"] == "BAD_USER_INPUT" and "X-Bloo-Company-ID" in error["message"]
    )
    slug = Client(gql.http, gql.token, "acme-nope")
    assert (await slug.error(CREATE, {"i": {"url": receiver.url}}))["extensions"]["code"] == (
        "COMPANY_NOT_FOUND"
    )
    assert await stored_webhooks(owner.company_id) == 0


async def test_only_the_creator_may_use_a_webhook(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    made = await create(gql, receiver.url)
    colleague = await member(gql, owner, "ADMIN")
    colleague.company = owner.company_id
    for query, variables in [
        (READ, {"w": made["id"]}),
        (UPDATE, {"i": {"webhookId": made["id"], "url": receiver.url + "/x"}}),
        ("mutation($w:String!){deleteWebhook(input:{webhookId:$w}){success}}", {"w": made["id"]}),
        ("mutation($w:String!){disableWebhook(input:{webhookId:$w}){success}}", {"w": made["id"]}),
        (
            "mutation($w:String!){rotateWebhookSecret(input:{webhookId:$w}){secret}}",
            {"w": made["id"]},
        ),
    ]:
        assert (await colleague.error(query, variables))["extensions"]["code"] == "FORBIDDEN"
    assert (await colleague(LIST))["webhooks"]["pageInfo"]["totalItems"] == 0
    stored = await Webhook.get(id=made["id"])
    assert stored.url == receiver.url and stored.enabled


async def test_scope_needs_project_admin(gql: Client, owner: Account, receiver: Receiver) -> None:
    other = await create(gql, receiver.url, projectIds=[owner.project_id])
    assert other["projectIds"] == [owner.project_id]
    writer = await member(gql, owner, "MEMBER")
    writer.company = owner.company_id
    # Only MEMBER of the project: FORBIDDEN, for the project and for "all projects".
    for fields in ({"projectIds": [owner.project_id]}, {}):
        error = await writer.error(CREATE, {"i": {"url": receiver.url, **fields}})
        assert error["extensions"]["code"] == "FORBIDDEN"
    # A project of another company is answered as a missing one.
    from tests.conftest import new_account

    foreign = await new_account("Globex")
    for project_id in (foreign.project_id, "missing"):
        error = await gql.error(CREATE, {"i": {"url": receiver.url, "projectIds": [project_id]}})
        assert error["extensions"]["code"] == "PROJECT_NOT_FOUND"
        assert error["message"] == f"Project {project_id!r} was not found"
    assert await stored_webhooks(owner.company_id) == 1


async def test_enabled_webhooks_are_capped(gql: Client, owner: Account, receiver: Receiver) -> None:
    made = [await create(gql, receiver.url) for _ in range(3)]
    error = await gql.error(CREATE, {"i": {"url": receiver.url}})
    assert error["extensions"]["code"] == "PLAN_LIMIT_REACHED"
    assert await stored_webhooks(owner.company_id) == 3
    # A disabled one does not count, and re-enabling past the cap is refused.
    await gql(
        "mutation($w:String!){disableWebhook(input:{webhookId:$w}){success}}", {"w": made[0]["id"]}
    )
    fourth = await create(gql, receiver.url)
    error = await gql.error(
        UPDATE, {"i": {"webhookId": made[0]["id"], "enabled": True, "name": "renamed"}}
    )
    assert error["extensions"]["code"] == "PLAN_LIMIT_REACHED"
    refused = await Webhook.get(id=made[0]["id"])
    assert fourth["enabled"] and not refused.enabled
    assert refused.name is None  # a refused update changes nothing


async def test_pagination_and_filter(gql: Client, receiver: Receiver) -> None:
    ids = [(await create(gql, receiver.url, name=f"w{i}"))["id"] for i in range(3)]
    await gql("mutation($w:String!){disableWebhook(input:{webhookId:$w}){success}}", {"w": ids[0]})
    page = (await gql(LIST, {"t": 2}))["webhooks"]
    assert [i["id"] for i in page["items"]] == [ids[2], ids[1]]  # newest first
    assert page["pageInfo"] == {
        "totalPages": 2,
        "totalItems": 3,
        "page": 1,
        "perPage": 2,
        "hasNextPage": True,
        "hasPreviousPage": False,
    }
    last = (await gql(LIST, {"s": 2, "t": 2}))["webhooks"]
    assert [i["id"] for i in last["items"]] == [ids[0]]
    assert last["pageInfo"]["hasNextPage"] is False and last["pageInfo"]["hasPreviousPage"] is True
    enabled = (await gql(LIST, {"f": {"enabled": True}}))["webhooks"]
    assert enabled["pageInfo"]["totalItems"] == 2
    assert (await gql.error(LIST, {"t": 1000}))["extensions"]["code"] == "BAD_USER_INPUT"


async def test_update_replaces_lists_and_validates_filters(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    tracker = Tracker(gql, owner.project_id)
    tag, list_id = await tracker.tag(), await tracker.todo_list()
    made = await create(
        gql, receiver.url, events=["TODO_CREATED", "TODO_DELETED"], filters={"tagIds": [tag]}
    )
    assert made["filters"] == {
        "todoListIds": None,
        "tagIds": [tag],
        "assigneeIds": None,
        "customFieldIds": None,
    }
    updated = (
        await gql(
            UPDATE,
            {
                "i": {
                    "webhookId": made["id"],
                    "events": ["COMMENT_CREATED"],
                    "projectIds": [owner.project_id],
                    "filters": {"todoListIds": [list_id]},
                }
            },
        )
    )["updateWebhook"]
    assert updated["events"] == ["COMMENT_CREATED"] and updated["projectIds"] == [owner.project_id]
    assert updated["filters"]["todoListIds"] == [list_id] and updated["filters"]["tagIds"] is None
    cleared = await gql(UPDATE, {"i": {"webhookId": made["id"], "events": [], "projectIds": []}})
    assert cleared["updateWebhook"]["events"] == [] and cleared["updateWebhook"]["projectIds"] == []
    error = await gql.error(CREATE, {"i": {"url": receiver.url, "filters": {"tagIds": ["nope"]}}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "nope" in error["message"]
    error = await gql.error(
        UPDATE, {"i": {"webhookId": made["id"], "filters": {"assigneeIds": ["x"]}}}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await Webhook.get(id=made["id"])).filters == {"todoListIds": [list_id]}


def verify_x_signature(secret: str, body: bytes, header: str) -> None:
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, header)


async def test_enabling_sends_a_signed_health_check(gql: Client, receiver: Receiver) -> None:
    made = await create(gql, receiver.url)
    await gql(
        "mutation($w:String!){disableWebhook(input:{webhookId:$w}){success}}", {"w": made["id"]}
    )
    disabled = (await gql(READ, {"w": made["id"]}))["webhook"]
    assert (disabled["enabled"], disabled["status"]) == (False, "UNHEALTHY")

    receiver.answer(500)
    failed = (await gql(UPDATE, {"i": {"webhookId": made["id"], "enabled": True}}))["updateWebhook"]
    assert (failed["enabled"], failed["status"]) == (False, "UNHEALTHY")
    assert "HTTP 500" in failed["disabledReason"]

    healthy = (await gql(UPDATE, {"i": {"webhookId": made["id"], "enabled": True}}))[
        "updateWebhook"
    ]
    assert (healthy["enabled"], healthy["status"], healthy["disabledReason"]) == (
        True,
        "HEALTHY",
        None,
    )
    check = receiver.requests[-1]
    assert check.json["event"] == "WEBHOOK_HEALTH_CHECK"
    assert check.json["webhook"]["id"] == made["id"] and check.json["webhook"]["secret"] == ""
    verify_x_signature(made["secret"], check.body, check.headers["X-Signature"])
    assert len(receiver.requests) == 2


async def test_delete(gql: Client, owner: Account, receiver: Receiver) -> None:
    made = await create(gql, receiver.url)
    done = await gql(
        "mutation($w:String!){deleteWebhook(input:{webhookId:$w}){success}}", {"w": made["id"]}
    )
    assert done["deleteWebhook"]["success"] is True
    assert (await gql.error(READ, {"w": made["id"]}))["extensions"]["code"] == "WEBHOOK_NOT_FOUND"
    assert await stored_webhooks(owner.company_id) == 0


async def test_rotation_returns_a_new_secret_once(gql: Client, receiver: Receiver) -> None:
    made = await create(gql, receiver.url)
    rotated = await gql(
        "mutation($w:String!){rotateWebhookSecret(input:{webhookId:$w,gracePeriodSeconds:60}){secret}}",
        {"w": made["id"]},
    )
    new = rotated["rotateWebhookSecret"]["secret"]
    assert new.startswith("whsec_") and new != made["secret"]
    stored = await Webhook.get(id=made["id"])
    assert (stored.secret, stored.previous_secret) == (new, made["secret"])
    assert (await gql(READ, {"w": made["id"]}))["webhook"]["secret"] is None
    error = await gql.error(
        "mutation($w:String!){rotateWebhookSecret(input:{webhookId:$w,gracePeriodSeconds:-1}){id}}",
        {"w": made["id"]},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "event", ["TODO_CREATED", "COMMENT_DELETED", "TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED"]
)
async def test_sample_payload(gql: Client, event: str) -> None:
    sample = await gql("query($e:WebhookEvent!){webhookSamplePayload(event:$e)}", {"e": event})
    body = sample["webhookSamplePayload"]
    assert body["event"] == event
    assert set(body) == {
        "event",
        "webhook",
        "previousValue",
        "currentValue",
        "company",
        "project",
        "user",
        "eventId",
        "createdAt",
    }
