"""The read path loads related rows in batches: the number of queries of a page does not grow
with its size. Counted on the real database (tests/queries.py)."""

import pytest

from models import snapshots
from models.accounts import User
from models.tracker import (
    Checklist,
    ChecklistItem,
    ChecklistItemUser,
    Comment,
    CustomFieldOption,
    Todo,
    TodoCustomField,
    TodoTag,
    TodoUser,
)
from tests.conftest import Account, Client
from tests.queries import counting_queries
from tests.tracker import Tracker

TODOS = (
    "query($l:String!,$n:Int!){todos(todoListId:$l,take:$n){id title done assigneeIds tagIds "
    "customFieldValues{customFieldId text} todoList{id title}}}"
)
COMMENTS = "query($t:String!){comments(todoId:$t){id text}}"
CHECKLISTS = "query($t:String!){checklists(todoId:$t){id title checklistItems{id title}}}"


async def full_todos(tracker: Tracker, owner: Account, count: int) -> str:
    """A list of `count` todos, each with an assignee, a tag, a custom value and a checklist
    with an item; rows written directly, as a page of them is what is measured."""
    list_id = await tracker.todo_list()
    tag_id = await tracker.tag()
    field_id = await tracker.custom_field()
    todos = [Todo(todo_list_id=list_id, title=f"todo {n}", position=n) for n in range(count)]
    await Todo.bulk_create(todos)
    checklists = [Checklist(todo_id=t.id, title="Steps") for t in todos]
    await TodoUser.bulk_create([TodoUser(todo_id=t.id, user_id=owner.user_id) for t in todos])
    await TodoTag.bulk_create([TodoTag(todo_id=t.id, tag_id=tag_id) for t in todos])
    await TodoCustomField.bulk_create(
        [TodoCustomField(todo_id=t.id, custom_field_id=field_id, text="x") for t in todos]
    )
    await Checklist.bulk_create(checklists)
    await ChecklistItem.bulk_create(
        [ChecklistItem(checklist_id=c.id, title="one") for c in checklists]
    )
    return list_id


async def test_a_page_of_100_todos_takes_at_most_10_queries(
    gql: Client, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_id = await full_todos(Tracker(gql, owner.project_id), owner, 100)
    await gql(TODOS, {"l": list_id, "n": 1})  # the token and roles are cached as for any caller
    with counting_queries(monkeypatch) as one:
        page = await gql(TODOS, {"l": list_id, "n": 1})
    with counting_queries(monkeypatch) as hundred:
        page = await gql(TODOS, {"l": list_id, "n": 100})
    todos = page["todos"]
    assert len(todos) == 100
    assert all(t["assigneeIds"] == [owner.user_id] and len(t["tagIds"]) == 1 for t in todos)
    assert all(len(t["customFieldValues"]) == 1 for t in todos)
    assert len(hundred) <= 10, "\n".join(q[:150] for q in hundred)
    assert len(hundred) == len(one)


async def test_a_page_of_rows_carries_names_in_as_many_queries_as_one(
    gql: Client, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The join rows of payloads (issue 13) carry the names of users, tags, fields and options,
    read in the batch's own queries: none per todo."""
    tracker = Tracker(gql, owner.project_id)
    list_id, tag_id = await tracker.todo_list(), await tracker.tag("urgent")
    field_id = await tracker.custom_field("SELECT_SINGLE", "Priority")
    option = await CustomFieldOption.create(custom_field_id=field_id, title="High", color="red")
    todos = [Todo(todo_list_id=list_id, title=f"todo {n}", position=n) for n in range(100)]
    await Todo.bulk_create(todos)
    await TodoUser.bulk_create([TodoUser(todo_id=t.id, user_id=owner.user_id) for t in todos])
    await TodoTag.bulk_create([TodoTag(todo_id=t.id, tag_id=tag_id) for t in todos])
    await TodoCustomField.bulk_create(
        [
            TodoCustomField(
                todo_id=t.id, custom_field_id=field_id, custom_field_option_id=option.id
            )
            for t in todos
        ]
    )
    checklists = [Checklist(todo_id=t.id, title="Steps") for t in todos]
    await Checklist.bulk_create(checklists)
    items = [ChecklistItem(checklist_id=c.id, title="one") for c in checklists]
    await ChecklistItem.bulk_create(items)
    await ChecklistItemUser.bulk_create(
        [ChecklistItemUser(checklist_item_id=i.id, user_id=owner.user_id) for i in items]
    )
    user = await User.get(id=owner.user_id)
    ids = [t.id for t in todos]
    item_ids = [i.id for i in items]
    with counting_queries(monkeypatch) as one:
        await snapshots.todos(ids[:1])
    with counting_queries(monkeypatch) as hundred:
        page = await snapshots.todos(ids)
    with counting_queries(monkeypatch) as one_item:
        await snapshots.checklist_items(item_ids[:1])
    with counting_queries(monkeypatch) as hundred_items:
        page_items = await snapshots.checklist_items(item_ids)
    assert len(hundred) == len(one) <= 10, "\n".join(q[:150] for q in hundred)
    assert len(hundred_items) == len(one_item), "\n".join(q[:150] for q in hundred_items)
    assert len(page) == len(page_items) == 100
    for row in page:
        [assignee], [tagging], [value] = row["todoUsers"], row["todoTags"], row["todoCustomFields"]
        assert (assignee["userName"], assignee["userEmail"]) == (user.name, user.email)
        assert (tagging["tagTitle"], tagging["tagColor"]) == ("urgent", "red")
        assert value["customFieldName"] == "Priority"
        assert value["customFieldType"] == "SELECT_SINGLE"
        assert value["customFieldOptionTitle"] == "High"
    for row in page_items:
        [assignee] = row["checklistItemUsers"]
        assert (assignee["userName"], assignee["userEmail"]) == (user.name, user.email)
    assert await snapshots.todo(ids[0]) == page[0]


async def test_comments_and_checklists_take_as_many_queries_for_one_as_for_many(
    gql: Client, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = Tracker(gql, owner.project_id)
    few, many = await tracker.todo(), await tracker.todo()
    for todo_id, count in ((few, 1), (many, 20)):
        await Comment.bulk_create(
            [
                Comment(todo_id=todo_id, user_id=owner.user_id, html="h", text=f"{n}")
                for n in range(count)
            ]
        )
        checklists = [Checklist(todo_id=todo_id, title=f"{n}") for n in range(count)]
        await Checklist.bulk_create(checklists)
        await ChecklistItem.bulk_create(
            [ChecklistItem(checklist_id=c.id, title=f"{n}") for c in checklists for n in range(2)]
        )
    counts = {}
    for query in (COMMENTS, CHECKLISTS):
        for todo_id in (few, many):
            await gql(query, {"t": todo_id})
            with counting_queries(monkeypatch) as sent:
                data = await gql(query, {"t": todo_id})
            counts[query, todo_id] = len(sent)
        assert counts[query, few] == counts[query, many], (query, counts)
    assert len(data["checklists"]) == 20
    assert all(len(c["checklistItems"]) == 2 for c in data["checklists"])
