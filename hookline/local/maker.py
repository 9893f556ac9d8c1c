"""What `hookline trigger` builds on: mutations in one project as the token's user, each
saying what it made or changed and which events that caused. The recipes (recipes.py) use it."""

from collections.abc import Awaitable, Callable
from typing import Any

from models.event_types import EventType as E

NAME = "hookline trigger"
DATE, LATER = "2030-01-15T09:00:00Z", "2030-02-15T09:00:00Z"

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Say = Callable[[str], None]


class Maker:
    """Runs mutations in one project as the token's user, saying what each one did."""

    def __init__(self, call: Call, project_id: str, me: str, say: Say) -> None:
        self.call = call
        self.project_id = project_id
        self.me = me
        self.say = say

    async def change(self, said: str, query: str, variables: dict[str, Any], *events: E) -> Any:
        """One mutation; the value of its root field. Says what it did and what it caused."""
        data = await self.call(query, variables)
        [value] = data.values()
        self.say(f"{said} -> {', '.join(events)}")
        return value

    async def make(self, kind: str, query: str, variables: dict[str, Any], event: E) -> str:
        """A mutation that creates something; its id."""
        data = await self.call(query, variables)
        [value] = data.values()
        self.say(f"created {kind} {value['id']} -> {event}")
        return str(value["id"])

    async def todo_list(self) -> str:
        return await self.make(
            "todo list",
            "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}",
            {"p": self.project_id, "t": NAME},
            E.TODO_LIST_CREATED,
        )

    async def todo(self, list_id: str | None = None, **fields: Any) -> str:
        """A todo; `fields` (duedAt, assigneeIds, tagIds) come with it, without events of
        their own."""
        list_id = list_id or await self.todo_list()
        return await self.make(
            "todo",
            "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
            {"i": {"todoListId": list_id, "title": NAME, **fields}},
            E.TODO_CREATED,
        )

    async def tag(self) -> str:
        return await self.make(
            "tag",
            'mutation($p:String!,$t:String!){createTag(input:{projectId:$p,title:$t,color:"blue"})'
            "{id}}",
            {"p": self.project_id, "t": NAME},
            E.TAG_CREATED,
        )

    async def custom_field(self) -> str:
        return await self.make(
            "custom field",
            "mutation($p:String!,$n:String!){createCustomField(input:"
            "{projectId:$p,name:$n,type:TEXT_SINGLE}){id}}",
            {"p": self.project_id, "n": NAME},
            E.CUSTOM_FIELD_CREATED,
        )

    async def checklist(self) -> str:
        return await self.make(
            "checklist",
            "mutation($t:String!,$n:String!){createChecklist(input:{todoId:$t,title:$n}){id}}",
            {"t": await self.todo(), "n": NAME},
            E.TODO_CHECKLIST_CREATED,
        )

    async def item(self) -> str:
        return await self.make(
            "checklist item",
            "mutation($c:String!,$n:String!){createChecklistItem(input:{checklistId:$c,title:$n})"
            "{id}}",
            {"c": await self.checklist(), "n": NAME},
            E.TODO_CHECKLIST_ITEM_CREATED,
        )

    async def comment(self) -> str:
        return await self.make(
            "comment",
            "mutation($t:String!,$x:String!)"
            "{createComment(input:{html:$x,text:$x,category:TODO,categoryId:$t}){id}}",
            {"t": await self.todo(), "x": NAME},
            E.COMMENT_CREATED,
        )
