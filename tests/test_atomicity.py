"""An event exists iff its change committed; internal failures are masked; abuse limits hold."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from tortoise import Tortoise

from events.log import Event
from models.tracker import ChecklistItem, Tag, Todo
from tests.conftest import Account, Client
from tests.tracker import Tracker

SQLITE_TRIGGER = """
CREATE TRIGGER refuse_poison BEFORE INSERT ON todo_tag
WHEN NEW.tag_id = '{tag}' BEGIN SELECT RAISE(ABORT, 'poisoned tag'); END
"""
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger AS $$
BEGIN
  IF NEW.tag_id = '{tag}' THEN RAISE EXCEPTION 'poisoned tag'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    "CREATE TRIGGER refuse_poison BEFORE INSERT ON todo_tag "
    "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
)


@pytest.fixture
async def poisoned_tag(gql: Client, owner: Account) -> AsyncIterator[str]:
    """A tag whose link rows the database itself refuses, failing a mutation half-way."""
    tag = await Tracker(gql, owner.project_id).tag("poison")
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(PG_FUNCTION.format(tag=tag))
        await connection.execute_script(PG_TRIGGER)
    else:
        await connection.execute_script(SQLITE_TRIGGER.format(tag=tag))
    yield tag
    await connection.execute_script(
        "DROP TRIGGER IF EXISTS refuse_poison"
        + (" ON todo_tag" if connection.capabilities.dialect == "postgres" else "")
    )


async def test_failed_write_rolls_back_rows_and_events(
    gql: Client, owner: Account, poisoned_tag: str
) -> None:
    tracker = Tracker(gql, owner.project_id)
    list_id = await tracker.todo_list()
    events_before = await Event.filter(project_id=owner.project_id).count()
    body = await gql.raw(
        'mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:"half",tagIds:[$t]}){id}}',
        {"l": list_id, "t": poisoned_tag},
    )
    [error] = body["errors"]
    # The todo row was inserted before the tag link failed; both it and its event are gone.
    assert await Todo.filter(title="half", todo_list_id=list_id).count() == 0
    assert await Event.filter(project_id=owner.project_id).count() == events_before
    # The client learns nothing of the internals.
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["message"] == "Internal server error"
    assert "poison" not in str(body) and "todo_tag" not in str(body)

    # A set that fails part-way leaves the todo's earlier tags and events as they were.
    good = await tracker.tag("good")
    todo = await tracker.todo(list_id, tagIds=[good])
    events_before = await Event.filter(project_id=owner.project_id).count()
    await gql.raw(
        "mutation($t:String!,$g:String!){setTodoTags(input:{todoId:$t,tagIds:[$g]}){id}}",
        {"t": todo, "g": poisoned_tag},
    )
    data = await gql("query($t:String!){todo(id:$t){tagIds}}", {"t": todo})
    assert data["todo"]["tagIds"] == [good]
    assert await Event.filter(project_id=owner.project_id).count() == events_before


async def test_query_depth_is_limited(gql: Client) -> None:
    deep = '{todo(id:"x"){todoList{id}}}'
    assert (await gql.raw(deep))["errors"][0]["extensions"]["code"] == "TODO_NOT_FOUND"
    nested = "query Deep {" + "__schema{types{fields{type{" * 5 + "name" + "}}}}" * 5 + "}"
    body = await gql.raw(nested)
    assert "depth" in body["errors"][0]["message"].lower()


async def test_aliases_and_tokens_are_limited(gql: Client) -> None:
    many = "{" + " ".join(f"a{i}: currentUser{{id}}" for i in range(40)) + "}"
    body = await gql.raw(many)
    assert "aliases" in body["errors"][0]["message"].lower()
    huge = "{currentUser{" + " ".join(["id"] * 3000) + "}}"
    body = await gql.raw(huge)
    assert "token" in body["errors"][0]["message"].lower()


async def test_body_size_is_limited(gql: Client) -> None:
    response = await gql.http.post(
        "/graphql",
        content=b'{"query":"{currentUser{id}}","variables":{"x":"' + b"a" * 2_000_000 + b'"}}',
        headers={"Authorization": f"Bearer {gql.token}", "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


EDIT_TODO = "mutation($i:EditTodoInput!){editTodo(input:$i){id}}"
TOGGLE_TODO = "mutation($t:String!){updateTodoDoneStatus(todoId:$t){id}}"
EDIT_ITEM = "mutation($i:EditChecklistItemInput!){editChecklistItem(input:$i){id}}"
EDIT_TAG = "mutation($i:EditTagInput!){editTag(input:$i){id}}"


async def test_concurrent_edits_of_one_row_keep_both_changes(gql: Client, owner: Account) -> None:
    """Edits read their row while authorising, decided their events from that copy and saved
    all of it: of two edits at once, the second undid the first's change (which kept its
    event), and two equal edits both emitted a change from the same value. Each edit now reads
    and locks its row in its transaction."""
    tracker = Tracker(gql, owner.project_id)
    todo = await tracker.todo(title="old")
    item = await tracker.item(await tracker.checklist(todo), "old")
    tag = await tracker.tag("old")
    cursor = await tracker.cursor()
    await asyncio.gather(
        gql(EDIT_TODO, {"i": {"todoId": todo, "title": "new"}}),
        gql(TOGGLE_TODO, {"t": todo}),
        gql(EDIT_ITEM, {"i": {"checklistItemId": item, "title": "new"}}),
        gql(EDIT_ITEM, {"i": {"checklistItemId": item, "done": True}}),
        gql(EDIT_ITEM, {"i": {"checklistItemId": item, "done": True}}),
        gql(EDIT_TAG, {"i": {"id": tag, "title": "new"}}),
        gql(EDIT_TAG, {"i": {"id": tag, "color": "blue"}}),
    )
    stored = await Todo.get(id=todo)
    assert (stored.title, stored.done) == ("new", True)
    stored_item = await ChecklistItem.get(id=item)
    assert (stored_item.title, stored_item.done) == ("new", True)
    stored_tag = await Tag.get(id=tag)
    assert (stored_tag.title, stored_tag.color) == ("new", "blue")
    events = await tracker.events_since(cursor)
    kinds = sorted(e.type for e in events)
    assert kinds == sorted(
        [
            "TODO_NAME_CHANGED",
            "TODO_DONE_STATUS_UPDATED",
            "TODO_CHECKLIST_ITEM_NAME_CHANGED",
            "TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED",  # once: the second changed nothing
            "TAG_UPDATED",
            "TAG_UPDATED",
        ]
    )
    for event in events:  # each describes a change from what was stored to what it stored
        assert event.previous_value != event.current_value, event.type
