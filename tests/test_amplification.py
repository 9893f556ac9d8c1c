"""Bounded responses (issue 10 defect 3): every list pages, and a query whose worst case is
over the cost budget is refused before it runs.

30 aliases of `comments` on a todo with 1,500 comments of 5 KB made a 452 MB response.
"""

import logging
from typing import Any

import pytest

from schema.cost import LARGE_FIELD, MAX_COST
from schema.paging import MAX_TAKE
from tests.conftest import Account, Client
from tests.tracker import Tracker

PROJECT = "mutation($c:String!){createProject(input:{companyId:$c,name:$n}){id}}"


async def three_of_each(gql: Client, owner: Account) -> dict[str, tuple[str, str, list[str]]]:
    """Three items of every paged list: (field, arguments, ids in the list's order)."""
    tracker = Tracker(gql, owner.project_id)
    todo_lists = [await tracker.todo_list(f"List {n}") for n in range(3)]
    todo = await tracker.todo(todo_lists[0])
    comments = [await tracker.comment(todo, f"Comment {n}") for n in range(3)]
    tags = [await tracker.tag(f"tag {n}") for n in range(3)]
    fields = [await tracker.custom_field(name=f"Field {n}") for n in range(3)]
    checklists = [await tracker.checklist(todo, f"Checklist {n}") for n in range(3)]
    for n in range(2):
        await gql(
            "mutation($c:String!,$n:String!){createProject(input:{companyId:$c,name:$n}){id}}",
            {"c": owner.company_id, "n": f"Project {n}"},
        )
    projects = [p["id"] for p in (await gql("{projectList{id}}"))["projectList"]]
    on_todo, on_project = f'todoId:"{todo}"', f'projectId:"{owner.project_id}"'
    return {
        "comments": (on_todo, comments),
        "checklists": (on_todo, checklists),
        "todoLists": (on_project, todo_lists),
        "tags": (on_project, tags),
        "customFields": (on_project, fields),
        "projectList": ("", projects),
    }  # type: ignore[return-value]


async def test_every_list_pages_with_skip_and_take(gql: Client, owner: Account) -> None:
    lists = await three_of_each(gql, owner)
    for field, (arguments, ids) in lists.items():  # type: ignore[misc]
        assert len(ids) == 3, field
        prefix = f"{arguments}," if arguments else ""
        everything = await gql(f"{{{field}({prefix}skip:0){{id}}}}")
        assert [item["id"] for item in everything[field]] == ids, field
        second = await gql(f"{{{field}({prefix}skip:1,take:1){{id}}}}")
        assert [item["id"] for item in second[field]] == ids[1:2], field
        for bad in (f"take:{MAX_TAKE + 1}", "take:0", "skip:-1"):
            error = await gql.error(f"{{{field}({prefix}{bad}){{id}}}}")
            assert error["extensions"]["code"] == "BAD_USER_INPUT", (field, bad, error)


def aliases(count: int, field: str) -> str:
    return "{" + " ".join(f"a{n}: {field}" for n in range(count)) + "}"


async def test_the_30_alias_comments_query_is_refused_before_it_runs(
    gql: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # The query: 30 aliases of every comment of a todo. A todo that does not exist
    # shows that nothing ran: a resolver would have answered TODO_NOT_FOUND.
    with caplog.at_level(logging.INFO):
        body = await gql.raw(aliases(30, 'comments(todoId:"missing"){id html text}'))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # a client's mistake
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "budget": MAX_COST,
        "estimate": 30 * MAX_TAKE * (1 + 2 * LARGE_FIELD),  # html and text weigh more
    }
    assert f"budget of {MAX_COST}" in error["message"]


async def test_smaller_pages_fit_the_budget(gql: Client) -> None:
    body = await gql.raw(aliases(30, 'comments(todoId:"missing",take:10){id}'))
    assert {e["extensions"]["code"] for e in body["errors"]} == {"TODO_NOT_FOUND"}  # it ran


async def test_a_page_size_from_a_variable_counts_as_the_most(gql: Client) -> None:
    query = "query($t:Int!)" + aliases(16, 'comments(todoId:"missing",take:$t){id}')[0:]
    error = await gql.error(query, {"t": 1})
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["estimate"] == 16 * MAX_TAKE


@pytest.mark.parametrize(
    ("field", "estimate"),
    [
        # A pager hands its take to its items; nested lists without take count 10 each.
        ('webhookDeliveries(webhookId:"x",take:100){items{attempts{number}}}', 1 + 100 + 1000),
        ('checklists(todoId:"x"){checklistItems{id}}', 100 + 1000),
        ('todos(projectId:"x",take:100){id tagIds todoList{id}}', 200),  # scalars are free
        ('comments(todoId:"x",take:10){id html text}', 10 * (1 + 2 * LARGE_FIELD)),
    ],
)
async def test_estimates(gql: Client, field: str, estimate: int) -> None:
    assert MAX_COST // estimate >= 1  # one alone fits
    body: dict[str, Any] = await gql.raw(aliases(MAX_COST // estimate, field))
    assert all(e["extensions"]["code"] != "MAX_COST_EXCEEDED" for e in body.get("errors", []))
    over = MAX_COST // estimate + 1
    error = await gql.error(aliases(over, field))
    assert error["extensions"]["estimate"] == estimate * over


async def test_fragments_count_where_spread_and_introspection_is_free(gql: Client) -> None:
    fragment = "fragment F on Query" + aliases(16, 'tags(projectId:"x"){...T}')
    error = await gql.error("{...F} " + fragment + " fragment T on Tag{id}")
    assert error["extensions"]["estimate"] == 16 * MAX_TAKE
    schema = await gql("{__schema{types{name fields{name args{name} type{name}}}}}")
    assert schema["__schema"]["types"]
