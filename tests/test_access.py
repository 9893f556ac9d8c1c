"""Authentication, roles and tenancy: who may read and change what; refusals write nothing."""

from typing import Any

import pytest

from events.log import Event
from models.accounts import User
from models.tracker import Todo, TodoList
from tests.conftest import Account, Client, new_account
from tests.tracker import ADD_MEMBER, Tracker, member

CREATE_LIST = 'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}'


async def counts(project_id: str) -> tuple[int, int, int]:
    return (
        await Event.filter(project_id=project_id).count(),
        await TodoList.filter(project_id=project_id).count(),
        await Todo.filter(todo_list__project_id=project_id).count(),
    )


async def test_no_token_is_unauthenticated(anonymous: Client, owner: Account) -> None:
    error = await anonymous.error("{currentUser{id}}")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await anonymous.error(CREATE_LIST, {"p": owner.project_id})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await counts(owner.project_id) == (0, 0, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer nope.nope"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic abc"},
        {"X-Bloo-Token-ID": "x", "X-Bloo-Token-Secret": "y"},
    ],
)
async def test_bad_token_is_unauthenticated(anonymous: Client, headers: dict[str, str]) -> None:
    body = await anonymous.raw("{currentUser{id}}", **headers)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_wrong_secret_for_a_real_token_id(anonymous: Client, owner: Account) -> None:
    token_id = owner.token.split(".")[0]
    body = await anonymous.raw("{currentUser{id}}", Authorization=f"Bearer {token_id}.wrong")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_blue_headers_authenticate(anonymous: Client, owner: Account) -> None:
    token_id, secret = owner.token.split(".", 1)
    body = await anonymous.raw(
        "{currentUser{id}}",
        **{"x-bloo-token-id": token_id, "X-BLOO-TOKEN-SECRET": secret, "X-Bloo-Company-ID": "acme"},
    )
    assert body["data"]["currentUser"]["id"] == owner.user_id


async def test_another_company_answers_as_if_nothing_existed(gql: Client, owner: Account) -> None:
    tracker = Tracker(gql, owner.project_id)
    todo = await tracker.todo(title="secret")
    outsider = Client(gql.http, (await new_account("Globex")).token)
    before = await counts(owner.project_id)
    for query, variables, code in [
        ("query($t:String!){todo(id:$t){title}}", {"t": todo}, "TODO_NOT_FOUND"),
        ("query($p:String!){project(id:$p){name}}", {"p": owner.project_id}, "PROJECT_NOT_FOUND"),
        (
            "query($p:String!){todoLists(projectId:$p){id}}",
            {"p": owner.project_id},
            "PROJECT_NOT_FOUND",
        ),
        ("query($c:String!){company(id:$c){id}}", {"c": owner.company_id}, "COMPANY_NOT_FOUND"),
        (CREATE_LIST, {"p": owner.project_id}, "PROJECT_NOT_FOUND"),
        (
            "mutation($t:String!){updateTodoDoneStatus(todoId:$t){done}}",
            {"t": todo},
            "TODO_NOT_FOUND",
        ),
        (
            "mutation($t:String!){deleteTodo(input:{todoId:$t}){success}}",
            {"t": todo},
            "TODO_NOT_FOUND",
        ),
    ]:
        error = await outsider.error(query, variables)
        assert error["extensions"]["code"] == code, query
        assert "secret" not in str(error)
    assert await counts(owner.project_id) == before
    assert (await outsider("{projectList{id}}"))["projectList"] != [{"id": owner.project_id}]


async def test_view_only_member_reads_but_cannot_change(gql: Client, owner: Account) -> None:
    tracker = Tracker(gql, owner.project_id)
    todo = await tracker.todo()
    viewer = await member(gql, owner, "VIEW_ONLY")
    assert (await viewer("query($t:String!){todo(id:$t){id}}", {"t": todo}))["todo"]["id"] == todo
    before = await counts(owner.project_id)
    for query, variables in [
        (CREATE_LIST, {"p": owner.project_id}),
        ("mutation($t:String!){updateTodoDoneStatus(todoId:$t){done}}", {"t": todo}),
        (
            'mutation($t:String!){createComment(input:{html:"x",text:"x",category:TODO,'
            "categoryId:$t}){id}}",
            {"t": todo},
        ),
    ]:
        error = await viewer.error(query, variables)
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert await counts(owner.project_id) == before


async def test_comment_only_member_comments_but_cannot_edit_todos(
    gql: Client, owner: Account
) -> None:
    todo = await Tracker(gql, owner.project_id).todo()
    commenter = await member(gql, owner, "COMMENT_ONLY")
    await Tracker(commenter, owner.project_id).comment(todo)
    error = await commenter.error(
        'mutation($t:String!){editTodo(input:{todoId:$t,title:"x"}){id}}', {"t": todo}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_removed_member_loses_access(gql: Client, owner: Account) -> None:
    writer = await member(gql, owner, "MEMBER")
    await writer(CREATE_LIST, {"p": owner.project_id})
    writer_id = (await writer("{currentUser{id}}"))["currentUser"]["id"]
    await gql(
        "mutation($p:String!,$u:String!){removeProjectMember(input:{projectId:$p,userId:$u}){success}}",
        {"p": owner.project_id, "u": writer_id},
    )
    error = await writer.error(CREATE_LIST, {"p": owner.project_id})
    assert error["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "must not be empty"), ("   ", "must not be empty"), ("x" * 501, "at most 500")],
)
async def test_bad_titles(gql: Client, owner: Account, title: str, message: str) -> None:
    list_id = await Tracker(gql, owner.project_id).todo_list()
    before = await counts(owner.project_id)
    error = await gql.error(
        "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}",
        {"l": list_id, "t": title},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]
    assert await counts(owner.project_id) == before


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        ({"assigneeIds": ["nobody"]}, "BAD_USER_INPUT", "nobody"),
        ({"tagIds": ["no-such-tag"]}, "BAD_USER_INPUT", "no-such-tag"),
        ({"text": "x" * 100_001}, "BAD_USER_INPUT", "at most 100000"),
        (
            {"startedAt": "2030-02-01T00:00:00Z", "duedAt": "2030-01-01T00:00:00Z"},
            "BAD_USER_INPUT",
            "startedAt",
        ),
    ],
)
async def test_bad_references_write_nothing(
    gql: Client, owner: Account, extra: dict[str, Any], code: str, message: str
) -> None:
    list_id = await Tracker(gql, owner.project_id).todo_list()
    before = await counts(owner.project_id)
    error = await gql.error(
        "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
        {"i": {"todoListId": list_id, "title": "ok", **extra}},
    )
    assert error["extensions"]["code"] == code
    assert message in error["message"]
    assert await counts(owner.project_id) == before


async def test_unknown_ids_name_the_entity(gql: Client) -> None:
    for query, code in [
        ('{todo(id:"missing"){id}}', "TODO_NOT_FOUND"),
        ('{todoList(id:"missing"){id}}', "TODO_LIST_NOT_FOUND"),
        ('{project(id:"missing"){id}}', "PROJECT_NOT_FOUND"),
        ('mutation{createTodo(input:{todoListId:"missing",title:"x"}){id}}', "TODO_LIST_NOT_FOUND"),
        ('mutation{deleteChecklistItem(id:"missing"){success}}', "CHECKLIST_ITEM_NOT_FOUND"),
    ]:
        error = await gql.error(query)
        assert error["extensions"]["code"] == code
        assert "missing" in error["message"]


async def test_custom_field_value_must_fit_its_type(gql: Client, owner: Account) -> None:
    tracker = Tracker(gql, owner.project_id)
    todo, field = await tracker.todo(), await tracker.custom_field("NUMBER")
    before = await counts(owner.project_id)
    error = await gql.error(
        "mutation($t:String!,$f:String!){setTodoCustomField(input:{todoId:$t,customFieldId:$f,"
        'text:"seven"})}',
        {"t": todo, "f": field},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "number" in error["message"]
    assert await counts(owner.project_id) == before


MOVE = "mutation($t:String!,$l:String!){moveTodo(input:{todoId:$t,todoListId:$l}){id}}"
EDIT_LIST = "mutation($t:String!,$l:String!){editTodo(input:{todoId:$t,todoListId:$l}){id}}"


async def test_a_todo_moves_only_to_a_list_of_its_own_project(gql: Client, owner: Account) -> None:
    """moveTodo and editTodo(todoListId) took any list the caller could write to. Someone in
    two companies pulled a todo, its comments and checklists, out of one into the other, and a
    todo moved in kept its first project's tags, assignees and values, and told the second
    project's webhooks about them. The list must be in the todo's project."""
    other = await new_account("Globex")
    theirs = Client(gql.http, other.token, other.company_id)
    email = (await User.get(id=owner.user_id)).email
    await theirs(ADD_MEMBER, {"p": other.project_id, "e": email, "l": "MEMBER"})
    ours = Tracker(gql, owner.project_id)
    our_todo = await ours.todo(title="ours", tagIds=[await ours.tag("ours only")])
    our_list = await ours.todo_list("ours")
    their_todo = await Tracker(theirs, other.project_id).todo(title="theirs")
    their_list = await Tracker(theirs, other.project_id).todo_list("theirs")
    before = (await counts(owner.project_id), await counts(other.project_id))
    for mutation in (MOVE, EDIT_LIST):
        for todo, into in ((our_todo, their_list), (their_todo, our_list)):
            error = await gql.error(mutation, {"t": todo, "l": into})
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["extensions"]["field"] == "todoListId"
    assert (await counts(owner.project_id), await counts(other.project_id)) == before
    assert (await Todo.get(id=our_todo)).todo_list_id != their_list
    assert (await Todo.get(id=their_todo)).todo_list_id != our_list
    # Within the project, both still move it.
    await gql(MOVE, {"t": our_todo, "l": our_list})
    assert (await Todo.get(id=our_todo)).todo_list_id == our_list
