"""One recipe per event type: make what the event needs (maker.py), then the change that
causes it. A recipe is the shortest path through the public mutations to its event; the
other events on the way are said as they happen."""

from collections.abc import Awaitable, Callable
from typing import Any

from hookline.local.maker import DATE, LATER, NAME, Maker
from models.event_types import EventType as E

Recipe = Callable[[Maker], Awaitable[Any]]
RECIPES: dict[E, Recipe] = {}


def recipe(event: E) -> Callable[[Recipe], Recipe]:
    def register(func: Recipe) -> Recipe:
        RECIPES[event] = func
        return func

    return register


# Creations: making the thing is the event.
recipe(E.TODO_LIST_CREATED)(Maker.todo_list)
recipe(E.TODO_CREATED)(Maker.todo)
recipe(E.TAG_CREATED)(Maker.tag)
recipe(E.CUSTOM_FIELD_CREATED)(Maker.custom_field)
recipe(E.TODO_CHECKLIST_CREATED)(Maker.checklist)
recipe(E.TODO_CHECKLIST_ITEM_CREATED)(Maker.item)
recipe(E.COMMENT_CREATED)(Maker.comment)


EDIT_TODO = "mutation($i:EditTodoInput!){editTodo(input:$i){id}}"
TODO_ASSIGNEES = "mutation($i:SetTodoAssigneesInput!){setTodoAssignees(input:$i){id}}"
TODO_TAGS = "mutation($i:SetTodoTagsInput!){setTodoTags(input:$i){id}}"
ITEM_DATES = (
    "mutation($i:UpdateChecklistItemDueDateInput!){updateChecklistItemDueDate(input:$i){id}}"
)
ITEM_ASSIGNEES = (
    "mutation($i:SetChecklistItemAssigneesInput!){setChecklistItemAssignees(input:$i){id}}"
)


@recipe(E.TODO_LIST_NAME_CHANGED)
async def _(m: Maker) -> None:
    list_id = await m.todo_list()
    await m.change(
        f"renamed todo list {list_id}",
        "mutation($l:String!,$t:String!){editTodoList(input:{todoListId:$l,title:$t}){id}}",
        {"l": list_id, "t": f"{NAME} (renamed)"},
        E.TODO_LIST_NAME_CHANGED,
    )


@recipe(E.TODO_LIST_DELETED)
async def _(m: Maker) -> None:
    list_id = await m.todo_list()
    await m.change(
        f"deleted todo list {list_id}",
        "mutation($p:String!,$l:String!){deleteTodoList(input:{projectId:$p,todoListId:$l})"
        "{success}}",
        {"p": m.project_id, "l": list_id},
        E.TODO_LIST_DELETED,
    )


@recipe(E.TODO_DELETED)
async def _(m: Maker) -> None:
    todo = await m.todo()
    await m.change(
        f"deleted todo {todo}",
        "mutation($t:String!){deleteTodo(input:{todoId:$t}){success}}",
        {"t": todo},
        E.TODO_DELETED,
    )


@recipe(E.TODO_MOVED)
async def _(m: Maker) -> None:
    todo, target = await m.todo(), await m.todo_list()
    await m.change(
        f"moved todo {todo} to todo list {target}",
        "mutation($t:String!,$l:String!){moveTodo(input:{todoId:$t,todoListId:$l}){id}}",
        {"t": todo, "l": target},
        E.TODO_MOVED,
    )


@recipe(E.TODO_NAME_CHANGED)
async def _(m: Maker) -> None:
    todo = await m.todo()
    await m.change(
        f"renamed todo {todo}",
        EDIT_TODO,
        {"i": {"todoId": todo, "title": f"{NAME} (renamed)"}},
        E.TODO_NAME_CHANGED,
    )


@recipe(E.TODO_DONE_STATUS_UPDATED)
async def _(m: Maker) -> None:
    todo = await m.todo()
    await m.change(
        f"marked todo {todo} done",
        "mutation($t:String!){updateTodoDoneStatus(todoId:$t){id}}",
        {"t": todo},
        E.TODO_DONE_STATUS_UPDATED,
    )


@recipe(E.TODO_DUE_DATE_ADDED)
async def _(m: Maker) -> None:
    todo = await m.todo()
    await m.change(
        f"gave todo {todo} a due date",
        EDIT_TODO,
        {"i": {"todoId": todo, "duedAt": DATE}},
        E.TODO_DUE_DATE_ADDED,
    )


@recipe(E.TODO_DUE_DATE_UPDATED)
async def _(m: Maker) -> None:
    todo = await m.todo(duedAt=DATE)
    await m.change(
        f"moved the due date of todo {todo}",
        EDIT_TODO,
        {"i": {"todoId": todo, "duedAt": LATER}},
        E.TODO_DUE_DATE_UPDATED,
    )


@recipe(E.TODO_DUE_DATE_REMOVED)
async def _(m: Maker) -> None:
    todo = await m.todo(duedAt=DATE)
    await m.change(
        f"cleared the due date of todo {todo}",
        EDIT_TODO,
        {"i": {"todoId": todo, "duedAt": None}},
        E.TODO_DUE_DATE_REMOVED,
    )


@recipe(E.TODO_ASSIGNEE_ADDED)
async def _(m: Maker) -> None:
    todo = await m.todo()
    await m.change(
        f"assigned you ({m.me}) to todo {todo}",
        TODO_ASSIGNEES,
        {"i": {"todoId": todo, "assigneeIds": [m.me]}},
        E.TODO_ASSIGNEE_ADDED,
    )


@recipe(E.TODO_ASSIGNEE_REMOVED)
async def _(m: Maker) -> None:
    todo = await m.todo(assigneeIds=[m.me])
    await m.change(
        f"unassigned you ({m.me}) from todo {todo}",
        TODO_ASSIGNEES,
        {"i": {"todoId": todo, "assigneeIds": []}},
        E.TODO_ASSIGNEE_REMOVED,
    )


@recipe(E.TODO_TAG_ADDED)
async def _(m: Maker) -> None:
    tag = await m.tag()
    todo = await m.todo()
    await m.change(
        f"put tag {tag} on todo {todo}",
        TODO_TAGS,
        {"i": {"todoId": todo, "tagIds": [tag]}},
        E.TODO_TAG_ADDED,
    )


@recipe(E.TODO_TAG_REMOVED)
async def _(m: Maker) -> None:
    tag = await m.tag()
    todo = await m.todo(tagIds=[tag])
    await m.change(
        f"took tag {tag} off todo {todo}",
        TODO_TAGS,
        {"i": {"todoId": todo, "tagIds": []}},
        E.TODO_TAG_REMOVED,
    )


@recipe(E.TODO_CUSTOM_FIELD_UPDATED)
async def _(m: Maker) -> None:
    field, todo = await m.custom_field(), await m.todo()
    await m.change(
        f"set custom field {field} of todo {todo}",
        "mutation($i:SetTodoCustomFieldInput!){setTodoCustomField(input:$i)}",
        {"i": {"todoId": todo, "customFieldId": field, "text": NAME}},
        E.TODO_CUSTOM_FIELD_UPDATED,
    )


@recipe(E.TAG_UPDATED)
async def _(m: Maker) -> None:
    tag = await m.tag()
    await m.change(
        f"renamed tag {tag}",
        "mutation($i:EditTagInput!){editTag(input:$i){id}}",
        {"i": {"id": tag, "title": f"{NAME} (renamed)", "color": "green"}},
        E.TAG_UPDATED,
    )


@recipe(E.TAG_DELETED)
async def _(m: Maker) -> None:
    tag = await m.tag()
    await m.change(
        f"deleted tag {tag}",
        "mutation($t:String!){deleteTag(id:$t){success}}",
        {"t": tag},
        E.TAG_DELETED,
    )


@recipe(E.CUSTOM_FIELD_UPDATED)
async def _(m: Maker) -> None:
    field = await m.custom_field()
    await m.change(
        f"renamed custom field {field}",
        "mutation($i:EditCustomFieldInput!){editCustomField(input:$i){id}}",
        {"i": {"customFieldId": field, "name": f"{NAME} (renamed)"}},
        E.CUSTOM_FIELD_UPDATED,
    )


@recipe(E.CUSTOM_FIELD_DELETED)
async def _(m: Maker) -> None:
    field = await m.custom_field()
    await m.change(
        f"deleted custom field {field}",
        "mutation($f:String!){deleteCustomField(id:$f){success}}",
        {"f": field},
        E.CUSTOM_FIELD_DELETED,
    )


@recipe(E.TODO_CHECKLIST_NAME_CHANGED)
async def _(m: Maker) -> None:
    checklist = await m.checklist()
    await m.change(
        f"renamed checklist {checklist}",
        "mutation($c:String!,$t:String!){editChecklist(input:{checklistId:$c,title:$t}){id}}",
        {"c": checklist, "t": f"{NAME} (renamed)"},
        E.TODO_CHECKLIST_NAME_CHANGED,
    )


@recipe(E.TODO_CHECKLIST_DELETED)
async def _(m: Maker) -> None:
    checklist = await m.checklist()
    await m.change(
        f"deleted checklist {checklist}",
        "mutation($c:String!){deleteChecklist(id:$c){success}}",
        {"c": checklist},
        E.TODO_CHECKLIST_DELETED,
    )


@recipe(E.TODO_CHECKLIST_ITEM_NAME_CHANGED)
async def _(m: Maker) -> None:
    item = await m.item()
    await m.change(
        f"renamed checklist item {item}",
        "mutation($i:EditChecklistItemInput!){editChecklistItem(input:$i){id}}",
        {"i": {"checklistItemId": item, "title": f"{NAME} (renamed)"}},
        E.TODO_CHECKLIST_ITEM_NAME_CHANGED,
    )


@recipe(E.TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED)
async def _(m: Maker) -> None:
    item = await m.item()
    await m.change(
        f"marked checklist item {item} done",
        "mutation($i:EditChecklistItemInput!){editChecklistItem(input:$i){id}}",
        {"i": {"checklistItemId": item, "done": True}},
        E.TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED,
    )


@recipe(E.TODO_CHECKLIST_ITEM_DELETED)
async def _(m: Maker) -> None:
    item = await m.item()
    await m.change(
        f"deleted checklist item {item}",
        "mutation($c:String!){deleteChecklistItem(id:$c){success}}",
        {"c": item},
        E.TODO_CHECKLIST_ITEM_DELETED,
    )


async def dated_item(m: Maker) -> str:
    """A checklist item with a due date (items are created without dates)."""
    item = await m.item()
    await m.change(
        f"gave checklist item {item} a due date",
        ITEM_DATES,
        {"i": {"checklistItemId": item, "duedAt": DATE}},
        E.TODO_CHECKLIST_ITEM_DUE_DATE_ADDED,
    )
    return item


recipe(E.TODO_CHECKLIST_ITEM_DUE_DATE_ADDED)(dated_item)


@recipe(E.TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED)
async def _(m: Maker) -> None:
    item = await dated_item(m)
    await m.change(
        f"moved the due date of checklist item {item}",
        ITEM_DATES,
        {"i": {"checklistItemId": item, "duedAt": LATER}},
        E.TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED,
    )


@recipe(E.TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED)
async def _(m: Maker) -> None:
    item = await dated_item(m)
    await m.change(
        f"cleared the due date of checklist item {item}",
        ITEM_DATES,
        {"i": {"checklistItemId": item, "duedAt": None}},
        E.TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED,
    )


async def assigned_item(m: Maker) -> str:
    """A checklist item assigned to the token's user."""
    item = await m.item()
    await m.change(
        f"assigned you ({m.me}) to checklist item {item}",
        ITEM_ASSIGNEES,
        {"i": {"checklistItemId": item, "assigneeIds": [m.me]}},
        E.TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED,
    )
    return item


recipe(E.TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED)(assigned_item)


@recipe(E.TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED)
async def _(m: Maker) -> None:
    item = await assigned_item(m)
    await m.change(
        f"unassigned you ({m.me}) from checklist item {item}",
        ITEM_ASSIGNEES,
        {"i": {"checklistItemId": item, "assigneeIds": []}},
        E.TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED,
    )


@recipe(E.COMMENT_UPDATED)
async def _(m: Maker) -> None:
    comment = await m.comment()
    await m.change(
        f"edited comment {comment}",
        "mutation($c:String!,$x:String!){editComment(input:{id:$c,html:$x,text:$x}){id}}",
        {"c": comment, "x": f"{NAME} (edited)"},
        E.COMMENT_UPDATED,
    )


@recipe(E.COMMENT_DELETED)
async def _(m: Maker) -> None:
    comment = await m.comment()
    await m.change(
        f"deleted comment {comment}",
        "mutation($c:String!){deleteComment(id:$c){success}}",
        {"c": comment},
        E.COMMENT_DELETED,
    )
