"""One scenario per event type: drive the mutation that causes it and check the event written
(exactly that event, row-shaped previous/current values). Used by the event and delivery tests."""

from collections.abc import Awaitable, Callable

from tests.tracker import Tracker

Scenario = Callable[[Tracker, str], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(event: str) -> Callable[[Scenario], Scenario]:
    def register(func: Scenario) -> Scenario:
        SCENARIOS[event] = func
        return func

    return register


EDIT_LIST = "mutation($i:EditTodoListInput!){editTodoList(input:$i){id}}"
EDIT_TODO = "mutation($i:EditTodoInput!){editTodo(input:$i){id}}"
ASSIGN = "mutation($i:SetTodoAssigneesInput!){setTodoAssignees(input:$i){id}}"
TAGS = "mutation($i:SetTodoTagsInput!){setTodoTags(input:$i){id}}"
SET_FIELD = "mutation($i:SetTodoCustomFieldInput!){setTodoCustomField(input:$i)}"
EDIT_ITEM = "mutation($i:EditChecklistItemInput!){editChecklistItem(input:$i){id}}"
ITEM_DUE = "mutation($i:UpdateChecklistItemDueDateInput!){updateChecklistItemDueDate(input:$i){id}}"
ITEM_ASSIGN = (
    "mutation($i:SetChecklistItemAssigneesInput!){setChecklistItemAssignees(input:$i){id}}"
)


def assert_expanded(todo: dict, project_id: str) -> None:
    """A todo value carries its parents up to the company (API.md §6)."""
    assert todo["todoList"]["projectId"] == project_id
    assert todo["todoList"]["project"]["id"] == project_id
    assert todo["todoList"]["project"]["company"]["id"] == todo["todoList"]["project"]["companyId"]


@scenario("TODO_LIST_CREATED")
async def _(t: Tracker, me: str) -> None:
    [e] = await t.act(
        ["TODO_LIST_CREATED"],
        'mutation($p:String!){createTodoList(input:{projectId:$p,title:"Doing",position:2}){id}}',
        {"p": t.project_id},
    )
    assert e.previous_value is None
    assert e.current_value["title"] == "Doing" and e.current_value["position"] == 2
    assert e.current_value["project"]["company"]["id"] == e.company_id
    assert e.user_id == me


@scenario("TODO_LIST_NAME_CHANGED")
async def _(t: Tracker, me: str) -> None:
    list_id = await t.todo_list("Old")
    [e] = await t.act(
        ["TODO_LIST_NAME_CHANGED"], EDIT_LIST, {"i": {"todoListId": list_id, "title": "New"}}
    )
    assert (e.previous_value["title"], e.current_value["title"]) == ("Old", "New")
    # Same title again: no change, no event.
    await t.act([], EDIT_LIST, {"i": {"todoListId": list_id, "title": "New"}})


@scenario("TODO_LIST_DELETED")
async def _(t: Tracker, me: str) -> None:
    list_id = await t.todo_list("Gone")
    [e] = await t.act(
        ["TODO_LIST_DELETED"],
        "mutation($p:String!,$l:String!){deleteTodoList(input:{projectId:$p,todoListId:$l}){success}}",
        {"p": t.project_id, "l": list_id},
    )
    assert e.previous_value["id"] == list_id and e.current_value is None


@scenario("TODO_CREATED")
async def _(t: Tracker, me: str) -> None:
    list_id, tag_id = await t.todo_list(), await t.tag()
    [e] = await t.act(
        ["TODO_CREATED"],
        "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
        {
            "i": {
                "todoListId": list_id,
                "title": "Ship",
                "text": "t",
                "html": "<p>t</p>",
                "assigneeIds": [me],
                "tagIds": [tag_id],
                "duedAt": "2030-01-02T03:04:05Z",
            }
        },
    )
    value = e.current_value
    assert e.previous_value is None
    assert value["title"] == "Ship" and value["todoListId"] == list_id
    assert value["duedAt"] == "2030-01-02T03:04:05.000Z"
    assert [u["userId"] for u in value["todoUsers"]] == [me]
    assert [x["tagId"] for x in value["todoTags"]] == [tag_id]
    assert value["todoCustomFields"] == []
    assert_expanded(value, t.project_id)


@scenario("TODO_NAME_CHANGED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo(title="A")
    [e] = await t.act(["TODO_NAME_CHANGED"], EDIT_TODO, {"i": {"todoId": todo, "title": "B"}})
    assert (e.previous_value["title"], e.current_value["title"]) == ("A", "B")


@scenario("TODO_MOVED")
async def _(t: Tracker, me: str) -> None:
    first, second = await t.todo_list("One"), await t.todo_list("Two")
    todo = await t.todo(first)
    [e] = await t.act(
        ["TODO_MOVED"],
        "mutation($t:String!,$l:String!){moveTodo(input:{todoId:$t,todoListId:$l}){id}}",
        {"t": todo, "l": second},
    )
    assert (e.previous_value["todoListId"], e.current_value["todoListId"]) == (first, second)
    assert e.current_value["todoList"]["title"] == "Two"
    # editTodo moves too.
    await t.act(["TODO_MOVED"], EDIT_TODO, {"i": {"todoId": todo, "todoListId": first}})


@scenario("TODO_DONE_STATUS_UPDATED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo()
    query = "mutation($t:String!){updateTodoDoneStatus(todoId:$t){done}}"
    [e] = await t.act(["TODO_DONE_STATUS_UPDATED"], query, {"t": todo})
    assert (e.previous_value["done"], e.current_value["done"]) == (False, True)
    [e] = await t.act(["TODO_DONE_STATUS_UPDATED"], query, {"t": todo})
    assert e.current_value["done"] is False


@scenario("TODO_DUE_DATE_ADDED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo()
    [e] = await t.act(
        ["TODO_DUE_DATE_ADDED"],
        EDIT_TODO,
        {"i": {"todoId": todo, "duedAt": "2031-05-06T00:00:00Z"}},
    )
    assert e.previous_value["duedAt"] is None
    assert e.current_value["duedAt"] == "2031-05-06T00:00:00.000Z"


@scenario("TODO_DUE_DATE_UPDATED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo(duedAt="2031-05-06T00:00:00Z")
    [e] = await t.act(
        ["TODO_DUE_DATE_UPDATED"],
        EDIT_TODO,
        {"i": {"todoId": todo, "duedAt": "2031-06-06T00:00:00Z"}},
    )
    assert e.previous_value["duedAt"] == "2031-05-06T00:00:00.000Z"
    assert e.current_value["duedAt"] == "2031-06-06T00:00:00.000Z"


@scenario("TODO_DUE_DATE_REMOVED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo(duedAt="2031-05-06T00:00:00Z")
    [e] = await t.act(["TODO_DUE_DATE_REMOVED"], EDIT_TODO, {"i": {"todoId": todo, "duedAt": None}})
    assert e.previous_value["duedAt"] and e.current_value["duedAt"] is None


@scenario("TODO_DELETED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo(title="Bye")
    [e] = await t.act(
        ["TODO_DELETED"],
        "mutation($t:String!){deleteTodo(input:{todoId:$t}){success}}",
        {"t": todo},
    )
    assert e.previous_value["title"] == "Bye" and e.current_value is None
    assert_expanded(e.previous_value, t.project_id)


@scenario("TODO_ASSIGNEE_ADDED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo()
    [e] = await t.act(["TODO_ASSIGNEE_ADDED"], ASSIGN, {"i": {"todoId": todo, "assigneeIds": [me]}})
    assert e.previous_value["todoUsers"] == []
    assert [u["userId"] for u in e.current_value["todoUsers"]] == [me]
    await t.act([], ASSIGN, {"i": {"todoId": todo, "assigneeIds": [me]}})


@scenario("TODO_ASSIGNEE_REMOVED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo(assigneeIds=[me])
    [e] = await t.act(["TODO_ASSIGNEE_REMOVED"], ASSIGN, {"i": {"todoId": todo, "assigneeIds": []}})
    assert [u["userId"] for u in e.previous_value["todoUsers"]] == [me]
    assert e.current_value["todoUsers"] == []


@scenario("TODO_TAG_ADDED")
async def _(t: Tracker, me: str) -> None:
    todo, first, second = await t.todo(), await t.tag("a"), await t.tag("b")
    events = await t.act(
        ["TODO_TAG_ADDED", "TODO_TAG_ADDED"],
        TAGS,
        {"i": {"todoId": todo, "tagIds": [first, second]}},
    )
    # One event per tag, each showing the state just before and after its own change.
    assert [x["tagId"] for x in events[0].current_value["todoTags"]] == [first]
    assert events[1].previous_value == events[0].current_value
    assert sorted(x["tagId"] for x in events[1].current_value["todoTags"]) == sorted(
        [first, second]
    )


@scenario("TODO_TAG_REMOVED")
async def _(t: Tracker, me: str) -> None:
    first, second = await t.tag("a"), await t.tag("b")
    todo = await t.todo(tagIds=[first])
    events = await t.act(
        ["TODO_TAG_REMOVED", "TODO_TAG_ADDED"], TAGS, {"i": {"todoId": todo, "tagIds": [second]}}
    )
    assert events[0].current_value["todoTags"] == []
    assert [x["tagId"] for x in events[1].current_value["todoTags"]] == [second]


@scenario("TODO_CUSTOM_FIELD_UPDATED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo()
    text, number, box = (
        await t.custom_field("TEXT_SINGLE", "Note"),
        await t.custom_field("NUMBER", "Points"),
        await t.custom_field("CHECKBOX", "Ok"),
    )
    select = await t.custom_field("SELECT_SINGLE", "Size")
    option = (
        await t.gql(
            'mutation($f:String!){createCustomFieldOption(input:{customFieldId:$f,title:"L"})'
            "{options{id}}}",
            {"f": select},
        )
    )["createCustomFieldOption"]["options"][0]["id"]
    cases = [
        (text, {"text": "hello"}, "text", "hello"),
        (number, {"number": 3.5}, "number", 3.5),
        (box, {"checked": True}, "checked", True),
        (select, {"customFieldOptionId": option}, "customFieldOptionId", option),
    ]
    for field, value, key, expected in cases:
        [e] = await t.act(
            ["TODO_CUSTOM_FIELD_UPDATED"],
            SET_FIELD,
            {"i": {"todoId": todo, "customFieldId": field, **value}},
        )
        [stored] = [v for v in e.current_value["todoCustomFields"] if v["customFieldId"] == field]
        assert stored[key] == expected
        assert all(v["customFieldId"] != field for v in e.previous_value["todoCustomFields"])


@scenario("TAG_CREATED")
async def _(t: Tracker, me: str) -> None:
    [e] = await t.act(
        ["TAG_CREATED"],
        'mutation($p:String!){createTag(input:{projectId:$p,title:"bug",color:"red"}){id}}',
        {"p": t.project_id},
    )
    assert e.current_value["title"] == "bug" and e.current_value["projectId"] == t.project_id


@scenario("TAG_UPDATED")
async def _(t: Tracker, me: str) -> None:
    tag = await t.tag("bug")
    [e] = await t.act(
        ["TAG_UPDATED"],
        "mutation($i:EditTagInput!){editTag(input:$i){id}}",
        {"i": {"id": tag, "title": "defect", "color": "blue"}},
    )
    assert (e.previous_value["title"], e.current_value["title"]) == ("bug", "defect")
    assert e.current_value["color"] == "blue"


@scenario("TAG_DELETED")
async def _(t: Tracker, me: str) -> None:
    tag = await t.tag("bug")
    [e] = await t.act(
        ["TAG_DELETED"], "mutation($t:String!){deleteTag(id:$t){success}}", {"t": tag}
    )
    assert e.previous_value["id"] == tag and e.current_value is None


@scenario("CUSTOM_FIELD_CREATED")
async def _(t: Tracker, me: str) -> None:
    [e] = await t.act(
        ["CUSTOM_FIELD_CREATED"],
        'mutation($p:String!){createCustomField(input:{projectId:$p,name:"Cost",type:NUMBER,'
        'description:"EUR"}){id}}',
        {"p": t.project_id},
    )
    assert e.current_value["type"] == "NUMBER" and e.current_value["description"] == "EUR"


@scenario("CUSTOM_FIELD_UPDATED")
async def _(t: Tracker, me: str) -> None:
    field = await t.custom_field(name="Cost")
    [e] = await t.act(
        ["CUSTOM_FIELD_UPDATED"],
        "mutation($i:EditCustomFieldInput!){editCustomField(input:$i){id}}",
        {"i": {"customFieldId": field, "name": "Price"}},
    )
    assert (e.previous_value["name"], e.current_value["name"]) == ("Cost", "Price")


@scenario("CUSTOM_FIELD_DELETED")
async def _(t: Tracker, me: str) -> None:
    field = await t.custom_field()
    [e] = await t.act(
        ["CUSTOM_FIELD_DELETED"],
        "mutation($f:String!){deleteCustomField(id:$f){success}}",
        {"f": field},
    )
    assert e.previous_value["id"] == field and e.current_value is None


@scenario("TODO_CHECKLIST_CREATED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo()
    [e] = await t.act(
        ["TODO_CHECKLIST_CREATED"],
        'mutation($t:String!){createChecklist(input:{todoId:$t,title:"QA"}){id}}',
        {"t": todo},
    )
    assert e.current_value["title"] == "QA" and e.current_value["todoId"] == todo
    assert_expanded(e.current_value["todo"], t.project_id)


@scenario("TODO_CHECKLIST_NAME_CHANGED")
async def _(t: Tracker, me: str) -> None:
    checklist = await t.checklist(await t.todo(), "QA")
    [e] = await t.act(
        ["TODO_CHECKLIST_NAME_CHANGED"],
        'mutation($c:String!){editChecklist(input:{checklistId:$c,title:"Review"}){id}}',
        {"c": checklist},
    )
    assert (e.previous_value["title"], e.current_value["title"]) == ("QA", "Review")


@scenario("TODO_CHECKLIST_DELETED")
async def _(t: Tracker, me: str) -> None:
    checklist = await t.checklist(await t.todo())
    [e] = await t.act(
        ["TODO_CHECKLIST_DELETED"],
        "mutation($c:String!){deleteChecklist(id:$c){success}}",
        {"c": checklist},
    )
    assert e.previous_value["id"] == checklist and e.current_value is None


@scenario("TODO_CHECKLIST_ITEM_CREATED")
async def _(t: Tracker, me: str) -> None:
    checklist = await t.checklist(await t.todo())
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_CREATED"],
        'mutation($c:String!){createChecklistItem(input:{checklistId:$c,title:"Do"}){id}}',
        {"c": checklist},
    )
    assert e.current_value["checklistId"] == checklist and e.current_value["done"] is False
    assert_expanded(e.current_value["checklist"]["todo"], t.project_id)


@scenario("TODO_CHECKLIST_ITEM_NAME_CHANGED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()), "Do")
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_NAME_CHANGED"],
        EDIT_ITEM,
        {"i": {"checklistItemId": item, "title": "Done"}},
    )
    assert (e.previous_value["title"], e.current_value["title"]) == ("Do", "Done")


@scenario("TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED"],
        EDIT_ITEM,
        {"i": {"checklistItemId": item, "done": True}},
    )
    assert (e.previous_value["done"], e.current_value["done"]) == (False, True)
    await t.act([], EDIT_ITEM, {"i": {"checklistItemId": item, "done": True}})


@scenario("TODO_CHECKLIST_ITEM_DELETED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_DELETED"],
        "mutation($c:String!){deleteChecklistItem(id:$c){success}}",
        {"c": item},
    )
    assert e.previous_value["id"] == item and e.current_value is None


@scenario("TODO_CHECKLIST_ITEM_DUE_DATE_ADDED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_DUE_DATE_ADDED"],
        ITEM_DUE,
        {"i": {"checklistItemId": item, "duedAt": "2032-01-01T00:00:00Z"}},
    )
    assert e.previous_value["duedAt"] is None and e.current_value["duedAt"].startswith("2032-01-01")


@scenario("TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    await t.gql(ITEM_DUE, {"i": {"checklistItemId": item, "duedAt": "2032-01-01T00:00:00Z"}})
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED"],
        ITEM_DUE,
        {"i": {"checklistItemId": item, "startedAt": "2031-12-01T00:00:00Z"}},
    )
    assert e.previous_value["startedAt"] is None and e.current_value["startedAt"].startswith(
        "2031-12"
    )


@scenario("TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    await t.gql(ITEM_DUE, {"i": {"checklistItemId": item, "duedAt": "2032-01-01T00:00:00Z"}})
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED"],
        ITEM_DUE,
        {"i": {"checklistItemId": item, "duedAt": None}},
    )
    assert e.previous_value["duedAt"] and e.current_value["duedAt"] is None


@scenario("TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED"],
        ITEM_ASSIGN,
        {"i": {"checklistItemId": item, "assigneeIds": [me]}},
    )
    assert e.previous_value["checklistItemUsers"] == []
    assert [u["userId"] for u in e.current_value["checklistItemUsers"]] == [me]


@scenario("TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED")
async def _(t: Tracker, me: str) -> None:
    item = await t.item(await t.checklist(await t.todo()))
    await t.gql(ITEM_ASSIGN, {"i": {"checklistItemId": item, "assigneeIds": [me]}})
    [e] = await t.act(
        ["TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED"],
        ITEM_ASSIGN,
        {"i": {"checklistItemId": item, "assigneeIds": []}},
    )
    assert e.current_value["checklistItemUsers"] == []


@scenario("COMMENT_CREATED")
async def _(t: Tracker, me: str) -> None:
    todo = await t.todo()
    [e] = await t.act(
        ["COMMENT_CREATED"],
        'mutation($t:String!){createComment(input:{html:"<b>hi</b>",text:"hi",category:TODO,'
        "categoryId:$t}){id}}",
        {"t": todo},
    )
    value = e.current_value
    assert (value["text"], value["category"], value["categoryId"], value["userId"]) == (
        "hi",
        "TODO",
        todo,
        me,
    )
    assert_expanded(value["todo"], t.project_id)


@scenario("COMMENT_UPDATED")
async def _(t: Tracker, me: str) -> None:
    comment = await t.comment(await t.todo(), "v1")
    [e] = await t.act(
        ["COMMENT_UPDATED"],
        'mutation($c:String!){editComment(input:{id:$c,html:"v2",text:"v2"}){id}}',
        {"c": comment},
    )
    assert (e.previous_value["text"], e.current_value["text"]) == ("v1", "v2")


@scenario("COMMENT_DELETED")
async def _(t: Tracker, me: str) -> None:
    comment = await t.comment(await t.todo())
    [e] = await t.act(
        ["COMMENT_DELETED"], "mutation($c:String!){deleteComment(id:$c){success}}", {"c": comment}
    )
    assert e.previous_value["id"] == comment and e.current_value is None
