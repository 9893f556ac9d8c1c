"""The event catalog (issue 13): every event type with its group, description, JSON Schema and
sample; every delivered payload of all 37 events validates against its published schema, and
carries the names a no-code tool maps (API.md §8)."""

from typing import Any

import jsonschema
import pytest
from tortoise.transactions import in_transaction

from events.log import Event, NewEvent, append_events
from models.accounts import User
from models.event_types import EventType
from models.payload_schema import event_schema
from models.samples import sample_values
from tests.barriers import bridge_settled
from tests.conftest import Account, Client, new_account
from tests.receiver import Receiver
from tests.scenarios import SCENARIOS
from tests.tracker import Tracker, create

CATALOG = "{webhookEventTypes{event group description schema sample}}"
RECENT = (
    "query($e:[WebhookEvent!]!,$w:String,$t:Int)"
    "{webhookRecentPayloads(events:$e,webhookId:$w,take:$t)}"
)
GROUPS = {
    "TODO_CREATED": "todo",
    "TODO_CUSTOM_FIELD_UPDATED": "todo",
    "TODO_CHECKLIST_CREATED": "checklist",
    "TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED": "checklist",
    "TODO_LIST_NAME_CHANGED": "list",
    "COMMENT_DELETED": "comment",
    "TAG_UPDATED": "tag",
    "CUSTOM_FIELD_CREATED": "custom_field",
}


def valid(body: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(body)


async def catalog(gql: Client) -> dict[str, dict[str, Any]]:
    return {t["event"]: t for t in (await gql(CATALOG))["webhookEventTypes"]}


async def test_the_catalog_has_every_event_with_its_schema_and_sample(gql: Client) -> None:
    types = await catalog(gql)
    assert set(types) == {e.value for e in EventType} and len(types) == 37
    assert {t["group"] for t in types.values()} == {
        "todo",
        "checklist",
        "comment",
        "list",
        "tag",
        "custom_field",
    }
    assert all(types[event]["group"] == group for event, group in GROUPS.items())
    for event, entry in types.items():
        assert entry["description"]
        assert entry["schema"]["properties"]["event"]["const"] == event
        valid(entry["sample"], entry["schema"])
        valid(entry["sample"], event_schema(event, strict=True))
        previous, current = sample_values(event)
        assert (entry["sample"]["previousValue"] is None) == (previous is None)
        assert (entry["sample"]["currentValue"] is None) == (current is None)
    # Creates have no previous value, deletes no current one: the schema says so.
    assert types["TAG_CREATED"]["schema"]["properties"]["previousValue"]["type"] == "null"
    assert types["TAG_DELETED"]["schema"]["properties"]["currentValue"]["type"] == "null"


async def test_every_delivered_payload_validates_against_its_schema(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    await User.filter(id=owner.user_id).update(name="Ada Owner")
    actor = await User.get(id=owner.user_id)
    types = await catalog(gql)
    await create(gql, receiver.url)  # every event of every project
    tracker = Tracker(gql, owner.project_id)
    cursor = await tracker.cursor()
    for event in sorted(SCENARIOS):
        await SCENARIOS[event](tracker, owner.user_id)
    stored = await tracker.events_since(cursor)
    assert {e.type for e in stored} == {e.value for e in EventType}
    received = await receiver.wait_for(len(stored), within=30)
    await bridge_settled(app)
    assert len(receiver.requests) == len(stored)
    bodies = sorted((r.json for r in received), key=lambda b: int(b["id"]))
    for event, body in zip(stored, bodies, strict=True):
        assert body["id"] == body["eventId"] == str(event.id)
        valid(body, types[event.type]["schema"])
        valid(body, event_schema(event.type, strict=True))  # no key the shapes do not declare
        assert body["occurredAt"] == body["createdAt"]
        assert body["company"] == {"id": owner.company_id, "name": "Acme"}
        assert body["project"] == {"id": owner.project_id, "name": "Web"}
        assert body["user"] == {"id": actor.id, "name": "Ada Owner", "email": actor.email}
    named = {b["event"]: b["currentValue"] for b in bodies}
    assert named["TODO_ASSIGNEE_ADDED"]["todoUsers"][0] | {"id": None} == {
        "id": None,
        "todoId": named["TODO_ASSIGNEE_ADDED"]["id"],
        "userId": actor.id,
        "userName": "Ada Owner",
        "userEmail": actor.email,
    }
    assert {t["tagTitle"] for t in named["TODO_TAG_ADDED"]["todoTags"]} <= {"a", "b"}
    assert all(t["tagColor"] == "red" for t in named["TODO_TAG_ADDED"]["todoTags"])
    values = [
        b["currentValue"]["todoCustomFields"]
        for b in bodies
        if b["event"] == "TODO_CUSTOM_FIELD_UPDATED"
    ][-1]
    assert {(v["customFieldName"], v["customFieldType"]) for v in values} == {
        ("Note", "TEXT_SINGLE"),
        ("Points", "NUMBER"),
        ("Ok", "CHECKBOX"),
        ("Size", "SELECT_SINGLE"),
    }
    assert [v["customFieldOptionTitle"] for v in values if v["customFieldName"] == "Size"] == ["L"]
    item = named["TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED"]["checklistItemUsers"][0]
    assert (item["userName"], item["userEmail"]) == ("Ada Owner", actor.email)


async def test_recent_payloads_are_delivery_bodies(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TAG_CREATED"])
    tracker = Tracker(gql, owner.project_id)
    for title in ("one", "two", "three"):
        await tracker.tag(title)
    delivered = await receiver.wait_for(3)
    await bridge_settled(app)
    recent = (await gql(RECENT, {"e": ["TAG_CREATED"], "w": hook["id"], "t": 2}))[
        "webhookRecentPayloads"
    ]
    # Newest first; each the body delivered, but for the webhook's own state (lastDeliveryAt…).
    newest = sorted((r.json for r in delivered), key=lambda b: -int(b["id"]))[:2]
    assert [b["currentValue"]["title"] for b in recent] == ["three", "two"]
    assert [{**b, "webhook": None} for b in recent] == [{**b, "webhook": None} for b in newest]
    assert recent[0]["webhook"]["id"] == hook["id"]
    # Without a webhook: the same events, carrying the sample webhook.
    anyhow = (await gql(RECENT, {"e": ["TAG_CREATED"], "t": 2}))["webhookRecentPayloads"]
    assert [b["id"] for b in anyhow] == [b["id"] for b in recent]
    assert anyhow[0]["webhook"]["id"] == "sample-webhook"


async def test_recent_payloads_fall_back_to_the_sample(gql: Client) -> None:
    [body] = (await gql(RECENT, {"e": ["TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED"]}))[
        "webhookRecentPayloads"
    ]
    assert body["event"] == "TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED" and body["id"] == "0"
    valid(body, event_schema(body["event"], strict=True))


async def test_recent_payloads_stay_within_what_the_caller_may_read(
    gql: Client, owner: Account
) -> None:
    await Tracker(gql, owner.project_id).tag("mine")
    stranger = await new_account("Other")
    other = Client(gql.http, stranger.token)
    [body] = (await other(RECENT, {"e": ["TAG_CREATED"]}))["webhookRecentPayloads"]
    assert body["id"] == "0"  # the sample: none of the owner's events


async def test_events_stored_before_names_still_validate(gql: Client, owner: Account) -> None:
    """An event written before names were recorded (no name columns, no names in its join
    rows) renders as before, and its body still validates."""
    list_id = await Tracker(gql, owner.project_id).todo_list()
    todo = await Tracker(gql, owner.project_id).todo(list_id, assigneeIds=[owner.user_id])
    [latest] = await Event.filter(type="TODO_CREATED", project_id=owner.project_id).order_by("-id")
    value = latest.current_value
    value["todoUsers"] = [
        {k: v for k, v in u.items() if k in ("id", "todoId", "userId")} for u in value["todoUsers"]
    ]
    # Appended as the log appends (on PostgreSQL its ids follow transactions), without names.
    async with in_transaction():
        await append_events(
            [
                NewEvent(
                    "TODO_CREATED", owner.company_id, owner.project_id, owner.user_id, None, value
                )
            ]
        )
    [body] = (await gql(RECENT, {"e": ["TODO_CREATED"], "t": 1}))["webhookRecentPayloads"]
    assert body["currentValue"]["id"] == todo
    assert body["currentValue"]["todoUsers"][0].keys() == {"id", "todoId", "userId"}
    assert body["company"] == {"id": owner.company_id, "name": None}
    assert body["user"] == {"id": owner.user_id, "name": None, "email": None}
    valid(body, event_schema("TODO_CREATED"))
    valid(body, event_schema("TODO_CREATED", strict=True))


@pytest.mark.parametrize("take", [0, 101])
async def test_recent_payloads_take_is_bounded(gql: Client, take: int) -> None:
    error = await gql.error(RECENT, {"e": ["TAG_CREATED"], "t": take})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
