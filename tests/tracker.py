"""Test helpers that drive the work tracker through GraphQL (lists, todos, webhooks, members)
and read the event log."""

from typing import Any

from events.log import Event, purged_through
from hookline.accounts import token_for
from tests.conftest import Account, Client


async def newest_committed_id() -> int:
    """The highest id committed, above the readers' horizon too (events.log.latest_id stops
    at it): a transaction that starts after this call writes higher ids. Never below the
    retention horizon: after a test purged the whole log, 0 would be a cursor past retention."""
    last = await Event.all().order_by("-id").limit(1).values_list("id", flat=True)
    return max(int(last[0]) if last else 0, await purged_through())


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
        """A cursor for "from now on": the id of the newest event of any project."""
        return await newest_committed_id()

    async def events_since(self, cursor: int) -> list[Event]:
        return await Event.filter(project_id=self.project_id, id__gt=cursor).order_by("id")

    async def act(self, expected: list[str], query: str, variables: dict[str, Any]) -> list[Event]:
        """Run a mutation and return the events it wrote, which must be exactly `expected`."""
        cursor = await self.cursor()
        await self.gql(query, variables)
        events = await self.events_since(cursor)
        assert [e.type for e in events] == expected
        return events


FIELDS = (
    "id uid name url secret status events projectIds enabled metadata createdById createdAt "
    "updatedAt consecutiveFailures lastDeliveryAt lastFailureAt disabledReason "
    "filters{todoListIds tagIds assigneeIds customFieldIds}"
)
CREATE = f"mutation($i:CreateWebhookInput!){{createWebhook(input:$i){{{FIELDS}}}}}"
UPDATE = f"mutation($i:UpdateWebhookInput!){{updateWebhook(input:$i){{{FIELDS}}}}}"
READ = f"query($w:String!){{webhook(id:$w){{{FIELDS}}}}}"
LIST = (
    "query($f:WebhookFilter,$s:Int,$t:Int){webhooks(filter:$f,skip:$s,take:$t){items{id secret}"
    " pageInfo{totalPages totalItems page perPage hasNextPage hasPreviousPage}}}"
)


async def create(gql: Client, url: str, **fields: Any) -> dict[str, Any]:
    return (await gql(CREATE, {"i": {"url": url, **fields}}))["createWebhook"]


ADD_MEMBER = (
    "mutation($p:String!,$e:String!,$l:UserAccessLevel!)"
    "{addProjectMember(input:{projectId:$p,email:$e,level:$l}){id}}"
)


async def member(gql: Client, owner: Account, level: str) -> Client:
    """A second user of the owner's company with `level` in the owner's project, and a token."""
    email = f"{level.lower()}-{owner.user_id}@acme.test"
    await gql(ADD_MEMBER, {"p": owner.project_id, "e": email, "l": level})
    return Client(gql.http, (await token_for(email))["token"])
