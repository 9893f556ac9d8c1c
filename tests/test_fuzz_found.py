"""Defects the fuzzer (tests/test_fuzz.py) found, each pinned by a plain test."""

import asyncio

import asyncpg
import pytest

from tests.barriers import waiting_for_a_lock
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.tracker import Tracker


async def test_a_comment_has_its_category(gql: Client, owner: Account) -> None:
    tracker = Tracker(gql, owner.project_id)
    todo = await tracker.todo()
    await tracker.comment(todo)
    data = await gql("query($t:String!){comments(todoId:$t){category categoryId}}", {"t": todo})
    assert data["comments"] == [{"category": "TODO", "categoryId": todo}]


async def test_a_date_before_the_year_1000_keeps_four_digits(gql: Client, owner: Account) -> None:
    """Rows and payloads print dates as JavaScript does; glibc's %Y printed "698-01-01"."""
    tracker = Tracker(gql, owner.project_id)
    list_id = await tracker.todo_list()
    [event] = await tracker.act(
        ["TODO_CREATED"],
        'mutation($l:String!){createTodo(input:{todoListId:$l,title:"t",'
        'duedAt:"0698-01-01T00:00:00Z"}){duedAt}}',
        {"l": list_id},
    )
    assert event.current_value["duedAt"] == "0698-01-01T00:00:00.000Z"


async def test_a_webhook_is_deleted_while_the_bridge_records_its_delivery(
    gql: Client, owner: Account, receiver: Receiver, database_url: str
) -> None:
    """The bridge's recorder locks deliveries, then their webhook; deleteWebhook must take the
    same locks in the same order, or PostgreSQL aborts one of the two as a deadlock."""
    if not database_url.startswith("postgres"):
        pytest.skip("row locks are PostgreSQL's (SQLite serialises writers)")
    tracker = Tracker(gql, owner.project_id)
    hook = await tracker.webhook(receiver.url)
    sent = await gql("mutation($w:String!){testWebhook(input:{webhookId:$w}){id}}", {"w": hook})
    bridge = await asyncpg.connect(database_url)
    try:
        async with bridge.transaction():
            await bridge.execute(
                "SELECT 1 FROM delivery WHERE id = $1 FOR UPDATE", sent["testWebhook"]["id"]
            )
            delete = asyncio.create_task(
                gql.raw(
                    "mutation($w:String!){deleteWebhook(input:{webhookId:$w}){success}}",
                    {"w": hook},
                )
            )
            await waiting_for_a_lock(bridge, "deleteWebhook")
            await bridge.execute("SELECT 1 FROM webhook WHERE id = $1 FOR UPDATE", hook)
        body = await delete
    finally:
        await bridge.close()
    assert body == {"data": {"deleteWebhook": {"success": True}}}
