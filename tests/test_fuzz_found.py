"""Defects the fuzzer (tests/test_fuzz.py) found, each pinned by a plain test."""

from tests.conftest import Account, Client
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
