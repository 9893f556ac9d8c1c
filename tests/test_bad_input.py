"""Inputs that once ended as INTERNAL_SERVER_ERROR or HTTP 500 (issue 9, defect 3): each gets a
4xx or an error with a specific code, stores nothing and logs nothing at ERROR."""

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tortoise import Tortoise, fields
from websockets.exceptions import ConnectionClosed

from hookline.auth import credentials
from models import ids
from models.tracker import Todo
from models.webhooks import Delivery
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.servers import GraphQLWebSocket, uvicorn_server
from tests.tracker import Tracker

LONG_ID = "x" * 210


@pytest.fixture(autouse=True)
def no_error_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A client's mistake is logged at INFO at most, never as an ERROR with a stack trace."""
    caplog.set_level(logging.INFO)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def post(gql: Client, body: Any, **headers: str) -> tuple[int, Any]:
    """POST any JSON (escaped: a lone surrogate travels as \\ud800) and return (status, body)."""
    response = await gql.http.post(
        "/graphql",
        content=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {gql.token}",
            "X-Bloo-Company-ID": gql.company or "",
            "content-type": "application/json",
            **headers,
        },
    )
    return response.status_code, response.json()


async def error_of(gql: Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    status, body = await post(gql, {"query": query, "variables": variables or {}})
    assert status == 200, body
    [error] = body["errors"]
    return error


async def test_every_primary_key_fits_the_id_length(app: Any) -> None:
    """models.ids.could_exist relies on it."""
    assert Tortoise.apps
    for models in Tortoise.apps.values():
        for model in models.values():
            pk = model._meta.pk
            if model._meta.pk_attr == "id" and isinstance(pk, fields.CharField):
                assert pk.max_length == ids.ID_LENGTH, model


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("query($i:String!){todo(id:$i){id}}", "TODO_NOT_FOUND"),
        ("query($i:String!){todoList(id:$i){id}}", "TODO_LIST_NOT_FOUND"),
        ("query($i:String!){project(id:$i){id}}", "PROJECT_NOT_FOUND"),
        ("query($i:String!){company(id:$i){id}}", "COMPANY_NOT_FOUND"),
        ("query($i:String!){webhook(id:$i){id}}", "WEBHOOK_NOT_FOUND"),
        ("query($i:String!){comments(todoId:$i){id}}", "TODO_NOT_FOUND"),
        ("query($i:String!){webhookDeliveries(webhookId:$i){items{id}}}", "WEBHOOK_NOT_FOUND"),
        ("mutation($i:String!){deleteTag(id:$i){success}}", "TAG_NOT_FOUND"),
        ("mutation($i:String!){deleteChecklistItem(id:$i){success}}", "CHECKLIST_ITEM_NOT_FOUND"),
        ("mutation($i:String!){deleteCustomField(id:$i){success}}", "CUSTOM_FIELD_NOT_FOUND"),
        (
            "mutation($i:String!){redeliverWebhookDelivery(input:{deliveryId:$i}){id}}",
            "WEBHOOK_DELIVERY_NOT_FOUND",
        ),
        (
            'mutation($i:String!){createTodo(input:{todoListId:$i,title:"t"}){id}}',
            "TODO_LIST_NOT_FOUND",
        ),
    ],
)
async def test_an_id_longer_than_its_column_is_not_found(
    gql: Client, query: str, code: str
) -> None:
    error = await error_of(gql, query, {"i": LONG_ID})
    assert error["extensions"]["code"] == code


async def test_long_ids_in_lists_are_unknown(gql: Client, owner: Account) -> None:
    tracker = Tracker(gql, owner.project_id)
    todo = await tracker.todo()
    for query, variables in [
        (
            "mutation($t:String!,$x:String!){setTodoTags(input:{todoId:$t,tagIds:[$x]}){id}}",
            {"t": todo, "x": LONG_ID},
        ),
        (
            "mutation($t:String!,$x:String!)"
            "{setTodoAssignees(input:{todoId:$t,assigneeIds:[$x]}){id}}",
            {"t": todo, "x": LONG_ID},
        ),
        (
            "mutation($p:String!,$x:String!)"
            "{removeProjectMember(input:{projectId:$p,userId:$x}){success}}",
            {"p": owner.project_id, "x": LONG_ID},
        ),
    ]:
        error = await error_of(gql, query, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    _, body = await post(
        gql,
        {
            "query": "mutation($x:String!){createWebhook(input:"
            '{url:"https://example.com/h",filters:{tagIds:[$x]}}){id}}',
            "variables": {"x": LONG_ID},
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_long_company_header_is_not_found(gql: Client) -> None:
    _, body = await post(
        gql,
        {"query": 'mutation{createWebhook(input:{url:"https://example.com/h"}){id}}'},
        **{"X-Bloo-Company-ID": "c" * 300},
    )
    assert body["errors"][0]["extensions"]["code"] == "COMPANY_NOT_FOUND"


NUL = "a\x00b"
SURROGATE = "a\ud800b"


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
async def test_unstorable_strings_are_refused_by_argument(
    gql: Client, owner: Account, text: str
) -> None:
    list_id = await Tracker(gql, owner.project_id).todo_list()
    cases = [
        (
            "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}",
            {"l": list_id, "t": text},
            "$t",
        ),
        ("query($i:String!){todo(id:$i){id}}", {"i": text}, "$i"),
        (
            "mutation($i:AddProjectMemberInput!){addProjectMember(input:$i){id}}",
            {"i": {"projectId": owner.project_id, "email": f"{text}@acme.test", "level": "MEMBER"}},
            "$i.email",
        ),
        (
            "mutation($i:String!){testWebhook(input:{webhookId:$i}){id}}",
            {"i": text},
            "$i",
        ),
    ]
    for query, variables, field in cases:
        error = await error_of(gql, query, variables)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
    assert await Todo.filter(todo_list_id=list_id).count() == 0


async def test_a_nul_written_inline_is_refused_naming_the_argument(
    gql: Client, owner: Account
) -> None:
    list_id = await Tracker(gql, owner.project_id).todo_list()
    error = await error_of(
        gql,
        'mutation($l:String!){createTodo(input:{todoListId:$l,title:"a\\u0000b"}){id}}',
        {"l": list_id},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.title"}
    assert "input.title" in error["message"]
    error = await error_of(gql, 'query{todo(id:"a\\u0000"){id}}')
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    assert await Todo.filter(todo_list_id=list_id).count() == 0


async def test_a_lone_surrogate_in_the_document_is_a_parse_failure(gql: Client) -> None:
    error = await error_of(gql, 'query{todo(id:"a\\ud800"){id}}')
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    error = await error_of(gql, 'query{todo(id:"' + SURROGATE + '"){id}}')
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


OVERFLOWING = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("when", OVERFLOWING)
async def test_a_datetime_outside_utc_is_bad_input(gql: Client, owner: Account, when: str) -> None:
    list_id = await Tracker(gql, owner.project_id).todo_list()
    inline = await error_of(
        gql,
        'mutation($l:String!){createTodo(input:{todoListId:$l,title:"t",duedAt:"'
        + when
        + '"}){id}}',
        {"l": list_id},
    )
    variable = await error_of(
        gql,
        'mutation($l:String!,$d:DateTime){createTodo(input:{todoListId:$l,title:"t",duedAt:$d}){id}}',
        {"l": list_id, "d": when},
    )
    for error in (inline, variable):
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "outside" in error["message"]
    assert await Todo.filter(todo_list_id=list_id).count() == 0


async def test_datetimes_are_stored_in_utc(gql: Client, owner: Account) -> None:
    list_id = await Tracker(gql, owner.project_id).todo_list()
    data = await gql(
        'mutation($l:String!){createTodo(input:{todoListId:$l,title:"t",'
        'duedAt:"2030-01-01T02:00:00+02:00",startedAt:"2029-12-31T10:00:00"}){duedAt startedAt}}',
        {"l": list_id},
    )
    assert data["createTodo"]["duedAt"].startswith("2030-01-01T00:00:00")
    assert data["createTodo"]["startedAt"].startswith("2029-12-31T10:00:00")


@pytest.mark.parametrize(
    ("inline", "with_variable", "variables"),
    [
        (
            "query{webhookSamplePayload(event:NOPE)}",
            "query($e:WebhookEvent!){webhookSamplePayload(event:$e)}",
            {"e": "NOPE"},
        ),
        (
            'query{webhooks(take:"abc"){items{id}}}',
            "query($t:Int){webhooks(take:$t){items{id}}}",
            {"t": "abc"},
        ),
        (
            'mutation{addProjectMember(input:{projectId:"p",email:"a@b.c",level:BOSS}){id}}',
            "mutation($l:UserAccessLevel!)"
            '{addProjectMember(input:{projectId:"p",email:"a@b.c",level:$l}){id}}',
            {"l": "BOSS"},
        ),
        (
            'mutation{createTodoList(input:{projectId:"p",title:"t",position:"x"}){id}}',
            'mutation($p:Float){createTodoList(input:{projectId:"p",title:"t",position:$p}){id}}',
            {"p": "x"},
        ),
    ],
)
async def test_bad_values_get_one_code_inline_or_as_variables(
    gql: Client, inline: str, with_variable: str, variables: dict[str, Any]
) -> None:
    first = await error_of(gql, inline)
    second = await error_of(gql, with_variable, variables)
    assert first["extensions"]["code"] == second["extensions"]["code"] == "BAD_USER_INPUT"


async def test_parse_and_validation_failures_have_codes(gql: Client) -> None:
    assert (await error_of(gql, "query{"))["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    error = await error_of(gql, "query{nope}")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    error = await error_of(gql, "query{todo{id}}")  # a required argument is missing
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    error = await error_of(gql, "query($x:Int){currentUser{id}}")  # an unused variable
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    "content",
    [b'"hello"', b"5", b"null", b"[]", b'[{"query":"{currentUser{id}}"}]', b"[" * 100_000],
)
async def test_a_body_that_is_not_a_json_object_is_400(gql: Client, content: bytes) -> None:
    response = await gql.http.post(
        "/graphql", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "content",
    [b'{"query":"\xff\xfe"}', '{"query":"{currentUser{id}}"}'.encode("utf-16")],
    ids=["invalid", "utf-16"],
)
async def test_a_body_that_is_not_utf8_is_400(gql: Client, content: bytes) -> None:
    response = await gql.http.post(
        "/graphql", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["errors"][0]["message"]


async def test_a_subscription_needs_a_stream(gql: Client) -> None:
    status, body = await post(gql, {"query": "subscription{events{id}}"})
    assert status == 400
    assert "stream" in body["errors"][0]["message"]
    response = await gql.http.get(
        "/graphql",
        params={"query": "subscription{events{id}}"},
        headers={"Authorization": f"Bearer {gql.token}", "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_mutation_over_get_is_405(gql: Client) -> None:
    response = await gql.http.get(
        "/graphql",
        params={"query": 'mutation{deleteTag(id:"x"){success}}'},
        headers={"Authorization": f"Bearer {gql.token}", "Accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unstorable_credentials_are_no_credentials(gql: Client) -> None:
    """A WebSocket's connection_init payload is JSON: it can hold what no header can."""
    for token in ("a\x00b.secret", "x" * 40 + ".secret", "abc.se\ud800cret"):
        assert credentials({"authorization": f"Bearer {token}"}) is None
    assert credentials({"X-Bloo-Token-ID": "a\x00", "X-Bloo-Token-Secret": "s"}) is None


async def test_a_filter_list_is_bounded(gql: Client) -> None:
    _, body = await post(
        gql,
        {
            "query": "mutation($x:[String!]){createWebhook(input:"
            '{url:"https://example.com/h",filters:{tagIds:$x}}){id}}',
            "variables": {"x": [f"t{i}" for i in range(40_000)]},
        },
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filters.tagIds"}


async def test_a_nul_in_a_test_send_leaves_no_delivery(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await Tracker(gql, owner.project_id).webhook(receiver.url)
    before = await Delivery.filter(webhook_id=hook).count()
    error = await error_of(
        gql,
        "mutation($w:String!,$e:WebhookEvent){testWebhook(input:{webhookId:$w,event:$e}){id}}",
        {"w": hook + "\x00", "e": "TODO_CREATED"},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await Delivery.filter(webhook_id=hook).count() == before


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("subscription($p:[String!]){events(projectIds:$p){id}}", {"p": ["a\x00"]}),
        ("subscription($a:String){events(after:$a){id}}", {"a": "\ud800"}),
        ("subscription($e:[WebhookEvent!]){events(events:$e){id}}", {"e": ["NOPE"]}),
        ('subscription{events(after:"1\\u0000"){id}}', {}),
        ("subscription{events{nope}}", {}),
        ("subscription{events(", {}),
    ],
)
async def test_bad_input_to_a_subscription_gets_a_code(
    app: Any, owner: Account, query: str, variables: dict[str, Any]
) -> None:
    async with (
        uvicorn_server(app) as address,
        GraphQLWebSocket.connect(address, {"authorization": f"Bearer {owner.token}"}) as ws,
    ):
        await ws.subscribe("1", query, variables)
        message = await ws.receive()
    assert message["type"] == "error", message  # refused before anything streamed
    assert message["payload"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
    ), message


async def test_an_infinite_number_names_its_field(gql: Client, owner: Account) -> None:
    tracker = Tracker(gql, owner.project_id)
    todo, field = await tracker.todo(), await tracker.custom_field("NUMBER")
    error = await error_of(
        gql,
        "mutation($t:String!,$f:String!)"
        "{setTodoCustomField(input:{todoId:$t,customFieldId:$f,number:1e999})}",
        {"t": todo, "f": field},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "number"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/graphql", {"query": "query A{__typename}", "operationName": "\ud800"}),
        ("/rest-hooks", {"\ud800": 1, "target_url": "https://x.test/h", "event": "TODO_CREATED"}),
    ],
)
async def test_a_refusal_echoing_a_lone_surrogate_is_still_a_4xx(
    app: Any, owner: Account, path: str, body: dict[str, Any]
) -> None:
    """A refusal that names what the client sent (an unknown operation, an unknown key) could
    not encode a lone surrogate in it as UTF-8: HTTP 500 and a traceback. It is \\u-escaped."""
    async with uvicorn_server(app) as address, httpx.AsyncClient() as http:
        response = await http.post(
            f"http://{address}{path}",
            content=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {owner.token}", "Content-Type": "application/json"},
        )
    assert response.status_code == 400, response.text
    assert "\\ud800" in response.text  # named, escaped


@pytest.mark.parametrize(
    "query",
    [
        "subscription($p:String!){todoEvents(projectId:$p){id}}",
        "subscription($p:String!){commentEvents(projectId:$p){id}}",
        "subscription($p:String!){todoListEvents(projectId:$p){id}}",
        "subscription($p:String!){events(projectIds:[$p]){id}}",
    ],
)
async def test_a_long_project_id_in_a_subscription_is_not_found(
    app: Any, owner: Account, query: str
) -> None:
    async with (
        uvicorn_server(app) as address,
        GraphQLWebSocket.connect(address, {"authorization": f"Bearer {owner.token}"}) as ws,
    ):
        await ws.subscribe("1", query, {"p": LONG_ID})
        message = await ws.receive()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "PROJECT_NOT_FOUND", message


async def test_a_long_project_id_in_a_portal_session_is_bad_input(
    gql: Client, owner: Account
) -> None:
    error = await error_of(
        gql,
        "mutation($c:String!,$p:[String!])"
        "{createPortalSession(input:{companyId:$c,projectIds:$p}){id}}",
        {"c": owner.company_id, "p": [LONG_ID]},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("protocol", "message", "reason"),
    [
        ("graphql-transport-ws", "[]", "JSON object"),
        ("graphql-transport-ws", '"x"', "JSON object"),
        ("graphql-transport-ws", '{"type":"subscribe","id":"1","payload":null}', "payload"),
        ("graphql-transport-ws", '{"type":"subscribe","id":"1","payload":{"query":5}}', "query"),
        ("graphql-transport-ws", '{"type":"subscribe","id":[],"payload":{"query":"{a}"}}', "id"),
        (
            "graphql-transport-ws",
            '{"type":"subscribe","id":"1","payload":{"query":"{a}","variables":"x"}}',
            "variables",
        ),
        (
            "graphql-transport-ws",
            '{"type":"subscribe","id":"1",'
            '"payload":{"query":"query A{__typename}","operationName":"\\ud800"}}',
            "\\ud800",
        ),
        ("graphql-ws", '{"type":"start","id":"1","payload":null}', "payload"),
    ],
)
async def test_a_socket_message_of_the_wrong_shape_closes_with_4400(
    app: Any, owner: Account, protocol: str, message: str, reason: str
) -> None:
    """Socket messages that were JSON but not the protocol's shape raised out of Strawberry's
    handler (ERROR logged, no close frame) or ended their operation without a word; a close
    reason echoing a lone surrogate could not be sent either."""
    async with (
        uvicorn_server(app) as address,
        GraphQLWebSocket.connect(
            address, {"authorization": f"Bearer {owner.token}"}, protocol
        ) as ws,
    ):
        await ws.socket.send(message)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400 and reason in closed.value.rcvd.reason
