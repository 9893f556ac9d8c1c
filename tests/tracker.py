"""A test helper that drives the work tracker through GraphQL and reads the event log."""

from typing import Any

from models.events import Event


class Tracker:
    def __init__(self, gql: Any, project_id: str) -> None:
        self.gql = gql
        self.project_id = project_id

    async def todo_list(self, title: str = "Backlog") -> str:
        data = await self.gql(
            "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}",
            {"p": self.project_id, "t": title},
        )
        return data["createTodoList"]["id"]

    async def todo(
        self, list_id: str | None = None, title: str = "Write tests", **extra: Any
    ) -> str:
        list_id = list_id or await self.todo_list()
        data = await self.gql(
            "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
            {"i": {"todoListId": list_id, "title": title, **extra}},
        )
        return data["createTodo"]["id"]

    async def tag(self, title: str = "urgent") -> str:
        data = await self.gql(
            'mutation($p:String!,$t:String!){createTag(input:{projectId:$p,title:$t,color:"red"}){id}}',
            {"p": self.project_id, "t": title},
        )
        return data["createTag"]["id"]

    async def custom_field(self, type_: str = "TEXT_SINGLE", name: str = "Budget") -> str:
        data = await self.gql(
            "mutation($p:String!,$n:String!,$t:CustomFieldType!)"
            "{createCustomField(input:{projectId:$p,name:$n,type:$t}){id}}",
            {"p": self.project_id, "n": name, "t": type_},
        )
        return data["createCustomField"]["id"]

    async def checklist(self, todo_id: str, title: str = "Steps") -> str:
        data = await self.gql(
            "mutation($t:String!,$n:String!){createChecklist(input:{todoId:$t,title:$n}){id}}",
            {"t": todo_id, "n": title},
        )
        return data["createChecklist"]["id"]

    async def item(self, checklist_id: str, title: str = "Step one") -> str:
        data = await self.gql(
            "mutation($c:String!,$n:String!)"
            "{createChecklistItem(input:{checklistId:$c,title:$n}){id}}",
            {"c": checklist_id, "n": title},
        )
        return data["createChecklistItem"]["id"]

    async def webhook(self, url: str, **fields: Any) -> str:
        data = await self.gql(
            "mutation($i:CreateWebhookInput!){createWebhook(input:$i){id}}",
            {"i": {"url": url, **fields}},
        )
        return data["createWebhook"]["id"]

    async def comment(self, todo_id: str, text: str = "Looks good") -> str:
        data = await self.gql(
            "mutation($t:String!,$x:String!)"
            "{createComment(input:{html:$x,text:$x,category:TODO,categoryId:$t}){id}}",
            {"t": todo_id, "x": text},
        )
        return data["createComment"]["id"]

    async def cursor(self) -> int:
        last = await Event.filter(project_id=self.project_id).order_by("-id").first()
        return last.id if last else 0

    async def events_since(self, cursor: int) -> list[Event]:
        return await Event.filter(project_id=self.project_id, id__gt=cursor).order_by("id")

    async def act(self, expected: list[str], query: str, variables: dict[str, Any]) -> list[Event]:
        """Run a mutation and return the events it wrote, which must be exactly `expected`."""
        cursor = await self.cursor()
        await self.gql(query, variables)
        events = await self.events_since(cursor)
        assert [e.type for e in events] == expected
        return events
