"""No existence oracle (issue 10, defect 5): an anonymous caller gets UNAUTHENTICATED from every
query and mutation before any lookup; a stranger gets for another company's existing id exactly
the answer a missing id gets. Every root field is listed here, so a new one cannot be forgotten.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from events.log import Event
from models.accounts import ApiToken, CompanyUser
from models.portal import PortalSession
from models.webhooks import Delivery, Webhook
from schema.root import schema
from tests.conftest import Account, Client, new_account
from tests.tracker import Tracker, create

Ids = dict[str, str]
Build = Callable[[Ids, Ids], tuple[str, dict[str, Any]]]

ROLES = (
    "company",
    "slug",
    "project",
    "list",
    "todo",
    "comment",
    "checklist",
    "item",
    "tag",
    "field",
    "webhook",
    "delivery",
    "token",
    "user",
    "session",
)


def op(text: str, **variables: Any) -> Build:
    """An operation whose variables name ids by role: "@todo" is the target's todo, "~todo"
    the caller's own (for arguments that must be valid to reach the target)."""

    def build(target: Ids, own: Ids) -> tuple[str, dict[str, Any]]:
        def fill(value: Any) -> Any:
            if isinstance(value, str) and value[:1] in "@~":
                return (target if value[0] == "@" else own)[value[1:]]
            if isinstance(value, list):
                return [fill(v) for v in value]
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        return text, fill(variables)

    return build


I = "input"  # noqa: E741 - the argument every mutation input is passed as

# Every query and mutation that names something by id, with the ids it names.
BY_ID: dict[str, list[Build]] = {
    "company": [
        op("query($v:String!){company(id:$v){id}}", v="@company"),
        op("query($v:String!){company(id:$v){id}}", v="@slug"),
    ],
    "project": [op("query($v:String!){project(id:$v){id}}", v="@project")],
    "todoLists": [op("query($v:String!){todoLists(projectId:$v){id}}", v="@project")],
    "todoList": [op("query($v:String!){todoList(id:$v){id}}", v="@list")],
    "todos": [
        op("query($v:String){todos(projectId:$v){id}}", v="@project"),
        op("query($v:String){todos(todoListId:$v){id}}", v="@list"),
    ],
    "todo": [op("query($v:String!){todo(id:$v){id}}", v="@todo")],
    "comments": [op("query($v:String!){comments(todoId:$v){id}}", v="@todo")],
    "checklists": [op("query($v:String!){checklists(todoId:$v){id}}", v="@todo")],
    "tags": [op("query($v:String!){tags(projectId:$v){id}}", v="@project")],
    "customFields": [op("query($v:String!){customFields(projectId:$v){id}}", v="@project")],
    "webhook": [op("query($v:String!){webhook(id:$v){id}}", v="@webhook")],
    "webhookDeliveries": [
        op("query($v:String!){webhookDeliveries(webhookId:$v){items{id}}}", v="@webhook")
    ],
    "webhookDeliveryLog": [
        op("query($v:String!){webhookDeliveryLog(webhookId:$v){items{id}}}", v="@webhook")
    ],
    "webhookDelivery": [op("query($v:String!){webhookDelivery(id:$v){id}}", v="@delivery")],
    "webhookStats": [
        op(
            'query($v:String!){webhookStats(webhookId:$v,from:"2026-01-01T00:00:00Z",'
            'to:"2026-01-02T00:00:00Z"){start}}',
            v="@webhook",
        )
    ],
    "portalSessions": [
        op("query($v:String!){portalSessions(companyId:$v){id}}", v="@company"),
        op("query($v:String!){portalSessions(companyId:$v){id}}", v="@slug"),
    ],
    "createPortalSession": [
        op(
            "mutation($i:CreatePortalSessionInput!){createPortalSession(input:$i){id}}",
            i={"companyId": "@company"},
        ),
        op(
            "mutation($i:CreatePortalSessionInput!){createPortalSession(input:$i){id}}",
            i={"companyId": "~company", "projectIds": ["@project"]},
        ),
    ],
    "revokePortalSession": [
        op(
            "mutation($i:RevokePortalSessionInput!){revokePortalSession(input:$i){success}}",
            i={"sessionId": "@session"},
        )
    ],
    "createProject": [
        op(
            "mutation($i:CreateProjectInput!){createProject(input:$i){id}}",
            i={"companyId": "@company", "name": "P"},
        ),
        op(
            "mutation($i:CreateProjectInput!){createProject(input:$i){id}}",
            i={"companyId": "@slug", "name": "P"},
        ),
    ],
    "addProjectMember": [
        op(
            "mutation($i:AddProjectMemberInput!){addProjectMember(input:$i){id}}",
            i={"projectId": "@project", "email": "x@globex.test", "level": "ADMIN"},
        )
    ],
    "removeProjectMember": [
        op(
            "mutation($i:RemoveProjectMemberInput!){removeProjectMember(input:$i){success}}",
            i={"projectId": "@project", "userId": "@user"},
        )
    ],
    "removeCompanyMember": [
        op(
            "mutation($i:RemoveCompanyMemberInput!){removeCompanyMember(input:$i){success}}",
            i={"companyId": "@company", "userId": "@user"},
        )
    ],
    "revokeApiToken": [
        op(
            "mutation($i:RevokeApiTokenInput!){revokeApiToken(input:$i){success}}",
            i={"tokenId": "@token"},
        )
    ],
    "createTodoList": [
        op(
            "mutation($i:CreateTodoListInput!){createTodoList(input:$i){id}}",
            i={"projectId": "@project", "title": "L"},
        )
    ],
    "editTodoList": [
        op(
            "mutation($i:EditTodoListInput!){editTodoList(input:$i){id}}",
            i={"todoListId": "@list", "title": "L"},
        )
    ],
    "deleteTodoList": [
        op(
            "mutation($i:DeleteTodoListInput!){deleteTodoList(input:$i){success}}",
            i={"projectId": "@project", "todoListId": "@list"},
        )
    ],
    "createTodo": [
        op(
            "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
            i={"todoListId": "@list", "title": "T"},
        ),
        op(
            "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
            i={"todoListId": "~list", "title": "T", "assigneeIds": ["@user"]},
        ),
        op(
            "mutation($i:CreateTodoInput!){createTodo(input:$i){id}}",
            i={"todoListId": "~list", "title": "T", "tagIds": ["@tag"]},
        ),
    ],
    "editTodo": [
        op("mutation($i:EditTodoInput!){editTodo(input:$i){id}}", i={"todoId": "@todo"}),
        op(
            "mutation($i:EditTodoInput!){editTodo(input:$i){id}}",
            i={"todoId": "~todo", "todoListId": "@list"},
        ),
    ],
    "moveTodo": [
        op(
            "mutation($i:MoveTodoInput!){moveTodo(input:$i){id}}",
            i={"todoId": "@todo", "todoListId": "@list"},
        ),
        op(
            "mutation($i:MoveTodoInput!){moveTodo(input:$i){id}}",
            i={"todoId": "~todo", "todoListId": "@list"},
        ),
    ],
    "updateTodoDoneStatus": [
        op("mutation($v:String!){updateTodoDoneStatus(todoId:$v){id}}", v="@todo")
    ],
    "deleteTodo": [
        op("mutation($i:DeleteTodoInput!){deleteTodo(input:$i){success}}", i={"todoId": "@todo"})
    ],
    "setTodoAssignees": [
        op(
            "mutation($i:SetTodoAssigneesInput!){setTodoAssignees(input:$i){id}}",
            i={"todoId": "@todo", "assigneeIds": []},
        ),
        op(
            "mutation($i:SetTodoAssigneesInput!){setTodoAssignees(input:$i){id}}",
            i={"todoId": "~todo", "assigneeIds": ["@user"]},
        ),
    ],
    "setTodoTags": [
        op(
            "mutation($i:SetTodoTagsInput!){setTodoTags(input:$i){id}}",
            i={"todoId": "@todo", "tagIds": []},
        ),
        op(
            "mutation($i:SetTodoTagsInput!){setTodoTags(input:$i){id}}",
            i={"todoId": "~todo", "tagIds": ["@tag"]},
        ),
    ],
    "setTodoCustomField": [
        op(
            "mutation($i:SetTodoCustomFieldInput!){setTodoCustomField(input:$i)}",
            i={"todoId": "@todo", "customFieldId": "@field", "text": "x"},
        ),
        op(
            "mutation($i:SetTodoCustomFieldInput!){setTodoCustomField(input:$i)}",
            i={"todoId": "~todo", "customFieldId": "@field", "text": "x"},
        ),
    ],
    "createTag": [
        op(
            "mutation($i:CreateTagInput!){createTag(input:$i){id}}",
            i={"projectId": "@project", "title": "t"},
        )
    ],
    "editTag": [op("mutation($i:EditTagInput!){editTag(input:$i){id}}", i={"id": "@tag"})],
    "deleteTag": [op("mutation($v:String!){deleteTag(id:$v){success}}", v="@tag")],
    "createCustomField": [
        op(
            "mutation($i:CreateCustomFieldInput!){createCustomField(input:$i){id}}",
            i={"projectId": "@project", "name": "f", "type": "TEXT_SINGLE"},
        )
    ],
    "editCustomField": [
        op(
            "mutation($i:EditCustomFieldInput!){editCustomField(input:$i){id}}",
            i={"customFieldId": "@field", "name": "f"},
        )
    ],
    "createCustomFieldOption": [
        op(
            "mutation($i:CreateCustomFieldOptionInput!){createCustomFieldOption(input:$i){id}}",
            i={"customFieldId": "@field", "title": "o"},
        )
    ],
    "deleteCustomField": [
        op("mutation($v:String!){deleteCustomField(id:$v){success}}", v="@field")
    ],
    "createChecklist": [
        op(
            "mutation($i:CreateChecklistInput!){createChecklist(input:$i){id}}",
            i={"todoId": "@todo", "title": "c"},
        )
    ],
    "editChecklist": [
        op(
            "mutation($i:EditChecklistInput!){editChecklist(input:$i){id}}",
            i={"checklistId": "@checklist", "title": "c"},
        )
    ],
    "deleteChecklist": [
        op("mutation($v:String!){deleteChecklist(id:$v){success}}", v="@checklist")
    ],
    "createChecklistItem": [
        op(
            "mutation($i:CreateChecklistItemInput!){createChecklistItem(input:$i){id}}",
            i={"checklistId": "@checklist", "title": "i"},
        )
    ],
    "editChecklistItem": [
        op(
            "mutation($i:EditChecklistItemInput!){editChecklistItem(input:$i){id}}",
            i={"checklistItemId": "@item", "title": "i"},
        )
    ],
    "deleteChecklistItem": [
        op("mutation($v:String!){deleteChecklistItem(id:$v){success}}", v="@item")
    ],
    "updateChecklistItemDueDate": [
        op(
            "mutation($i:UpdateChecklistItemDueDateInput!)"
            "{updateChecklistItemDueDate(input:$i){id}}",
            i={"checklistItemId": "@item"},
        )
    ],
    "setChecklistItemAssignees": [
        op(
            "mutation($i:SetChecklistItemAssigneesInput!){setChecklistItemAssignees(input:$i){id}}",
            i={"checklistItemId": "@item", "assigneeIds": []},
        )
    ],
    "createComment": [
        op(
            "mutation($i:CreateCommentInput!){createComment(input:$i){id}}",
            i={"html": "x", "text": "x", "category": "TODO", "categoryId": "@todo"},
        )
    ],
    "editComment": [
        op(
            "mutation($i:EditCommentInput!){editComment(input:$i){id}}",
            i={"id": "@comment", "html": "x", "text": "x"},
        )
    ],
    "deleteComment": [op("mutation($v:String!){deleteComment(id:$v){success}}", v="@comment")],
    "createWebhook": [
        op(
            "mutation($i:CreateWebhookInput!){createWebhook(input:$i){id}}",
            i={"url": "http://127.0.0.1:9/hook", "projectIds": ["@project"]},
        ),
        op(
            "mutation($i:CreateWebhookInput!){createWebhook(input:$i){id}}",
            i={"url": "http://127.0.0.1:9/hook", "filters": {"tagIds": ["@tag"]}},
        ),
    ],
    "updateWebhook": [
        op(
            "mutation($i:UpdateWebhookInput!){updateWebhook(input:$i){id}}",
            i={"webhookId": "@webhook", "name": "w"},
        )
    ],
    "disableWebhook": [
        op(
            "mutation($i:DisableWebhookInput!){disableWebhook(input:$i){success}}",
            i={"webhookId": "@webhook"},
        )
    ],
    "deleteWebhook": [
        op(
            "mutation($i:DeleteWebhookInput!){deleteWebhook(input:$i){success}}",
            i={"webhookId": "@webhook"},
        )
    ],
    "rotateWebhookSecret": [
        op(
            "mutation($i:RotateWebhookSecretInput!){rotateWebhookSecret(input:$i){id}}",
            i={"webhookId": "@webhook"},
        )
    ],
    "testWebhook": [
        op(
            "mutation($i:TestWebhookInput!){testWebhook(input:$i){id}}",
            i={"webhookId": "@webhook"},
        )
    ],
    "redeliverWebhookDelivery": [
        op(
            "mutation($i:RedeliverWebhookDeliveryInput!){redeliverWebhookDelivery(input:$i){id}}",
            i={"deliveryId": "@delivery"},
        )
    ],
    "recoverWebhook": [
        op(
            "mutation($i:RecoverWebhookInput!){recoverWebhook(input:$i)}",
            i={"webhookId": "@webhook", "since": "2020-01-01T00:00:00Z"},
        )
    ],
}

# The root fields that name nothing by id: anonymous callers are refused all the same.
WITHOUT_IDS: dict[str, str] = {
    "currentUser": "{currentUser{id}}",
    "projectList": "{projectList{id}}",
    "webhooks": "{webhooks{items{id}}}",
    "apiTokens": "{apiTokens{id}}",
    "webhookSamplePayload": "{webhookSamplePayload(event:TODO_CREATED)}",
    "createApiToken": 'mutation{createApiToken(input:{name:"x"}){id}}',
    "portalSession": "{portalSession{id}}",
}


def test_every_root_field_is_listed() -> None:
    fields = {
        name
        for root in (schema._schema.query_type, schema._schema.mutation_type)
        for name in root.fields
    }
    assert fields == set(BY_ID) | set(WITHOUT_IDS)


@dataclass
class World:
    """Another company with one of everything, the stranger's own company, and ids of both."""

    target: Ids
    missing: Ids
    own: Ids
    stranger: Client
    anonymous: Client
    victim: Account


async def everything(gql: Client, account: Account) -> Ids:
    tracker = Tracker(gql, account.project_id)
    list_id = await tracker.todo_list()
    todo_id = await tracker.todo(list_id)
    checklist_id = await tracker.checklist(todo_id)
    webhook = await create(gql, "http://127.0.0.1:9/hook", events=["TAG_DELETED"])
    delivery = await Delivery.create(
        webhook_id=webhook["id"], event="TODO_CREATED", message_id=f"msg_{webhook['id']}"
    )
    company = (await gql("query($c:String!){company(id:$c){slug}}", {"c": account.company_id}))[
        "company"
    ]
    return {
        "company": account.company_id,
        "slug": company["slug"],
        "project": account.project_id,
        "list": list_id,
        "todo": todo_id,
        "comment": await tracker.comment(todo_id),
        "checklist": checklist_id,
        "item": await tracker.item(checklist_id),
        "tag": await tracker.tag(),
        "field": await tracker.custom_field(),
        "webhook": webhook["id"],
        "delivery": delivery.id,
        "token": account.token.split(".")[0],
        "user": account.user_id,
        "session": (
            await gql(
                "mutation($c:String!){createPortalSession(input:{companyId:$c}){id}}",
                {"c": account.company_id},
            )
        )["createPortalSession"]["id"],
    }


@pytest.fixture(scope="module")
async def world(http: httpx.AsyncClient) -> World:
    """Built once per database: every case below only reads it or is refused."""
    victim, stranger = await new_account("Acme"), await new_account("Globex")
    stranger_gql = Client(http, stranger.token, stranger.company_id)
    return World(
        target=await everything(Client(http, victim.token, victim.company_id), victim),
        missing={role: f"missing-{role}" for role in ROLES},
        own=await everything(stranger_gql, stranger),
        stranger=stranger_gql,
        anonymous=Client(http, None, victim.company_id),  # names the company, no token
        victim=victim,
    )


def answer(error: dict[str, Any], ids: Ids) -> tuple[Any, ...]:
    """An error with the ids it names replaced by their roles, for comparison."""
    message = error["message"]
    for role, value in sorted(ids.items(), key=lambda item: -len(item[1])):
        message = re.sub(re.escape(value), f"<{role}>", message)
    return error["extensions"], message, error.get("path")


async def stored(account: Account) -> tuple[int, ...]:
    return (
        await Event.filter(company_id=account.company_id).count(),
        await Webhook.filter(company_id=account.company_id, enabled=True).count(),
        await CompanyUser.filter(company_id=account.company_id).count(),
        await ApiToken.filter(user_id=account.user_id).count(),
        await Delivery.filter(webhook__company_id=account.company_id).count(),
        await PortalSession.filter(company_id=account.company_id, revoked_at__isnull=True).count(),
    )


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


CASES = [(name, n) for name, builds in BY_ID.items() for n in range(len(builds))]


@pytest.mark.parametrize(("field", "case"), CASES, ids=[f"{f}-{n}" for f, n in CASES])
async def test_a_stranger_cannot_tell_a_foreign_id_from_a_missing_one(
    world: World, field: str, case: int, caplog: pytest.LogCaptureFixture
) -> None:
    build = BY_ID[field][case]
    before = await stored(world.victim)
    answers = []
    for target in (world.target, world.missing):
        body = await world.stranger.raw(*build(target, world.own))
        assert body.get("errors"), body
        answers.append(answer(body["errors"][0], target))
    assert answers[0] == answers[1]
    assert answers[0][0]["code"].endswith("_NOT_FOUND") or answers[0][0]["code"] == (
        "BAD_USER_INPUT"
    ), answers[0]
    assert await stored(world.victim) == before
    assert not errors_logged(caplog)  # answers, not faults


@pytest.mark.parametrize(("field", "case"), CASES, ids=[f"{f}-{n}" for f, n in CASES])
async def test_anonymous_callers_are_refused_before_any_lookup(
    world: World, field: str, case: int, caplog: pytest.LogCaptureFixture
) -> None:
    build = BY_ID[field][case]
    before = await stored(world.victim)
    answers = []
    for target in (world.target, world.missing):
        body = await world.anonymous.raw(*build(target, world.missing))
        [error] = body["errors"]
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}, error
        answers.append(error["message"])
    assert answers[0] == answers[1]
    assert await stored(world.victim) == before
    assert not errors_logged(caplog)


@pytest.mark.parametrize("field", sorted(WITHOUT_IDS))
async def test_anonymous_callers_are_refused_everywhere_else(anonymous: Client, field: str) -> None:
    error = await anonymous.error(WITHOUT_IDS[field])
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_createwebhook_with_a_company_header_and_no_token(world: World) -> None:
    for company in (world.target["company"], world.target["slug"], "missing"):
        anonymous = Client(world.anonymous.http, None, company)
        error = await anonymous.error(
            'mutation{createWebhook(input:{url:"http://127.0.0.1:9/hook"}){id}}'
        )
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_company_slugs_are_no_oracle(world: World) -> None:
    """createWebhook names its company in a header: another's slug is as unknown as none."""
    answers = []
    for company in (world.target["slug"], "acme-nope"):
        named = Client(world.stranger.http, world.stranger.token, company)
        error = await named.error(
            'mutation{createWebhook(input:{url:"http://127.0.0.1:9/hook"}){id}}'
        )
        answers.append((error["extensions"], error["message"].replace(company, "<slug>")))
    assert (
        answers[0]
        == answers[1]
        == ({"code": "COMPANY_NOT_FOUND"}, "Company '<slug>' was not found")
    )
