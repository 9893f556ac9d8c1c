"""`hookline listen` and `hookline trigger` as a developer runs them: a server, a local receiver
and the listener each in its own process (the receiver in the test's), talking over real sockets.

A forwarded event must be what a real webhook delivery carries, verifiable with the printed
secret; kills of the server and of the listener must lose no committed event and never send one
under two webhook-ids; `trigger` must cause every one of the 37 event types.
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as StandardWebhook

from bridge import retention
from events.log import Event
from models.event_types import EventType
from tests.conftest import POSTGRES_URL, REDIS_URL, Account, Client, PgDatabase
from tests.receiver import Received, Receiver
from tests.servers import (
    HOOKLINE,
    HooklineProcess,
    ListenProcess,
    RemoteGraphQL,
    bootstrap,
    hookline_cli,
    uvicorn_server,
)
from tests.tracker import Tracker

CREATE_LIST = "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}"
CREATE_TODO = 'mutation($l:String!){createTodo(input:{todoListId:$l,title:"T"}){id}}'
LISTS = "query($p:String!,$s:Int!){todoLists(projectId:$p,skip:$s,take:100){id}}"
SIGNED = {
    "content-type",
    "user-agent",
    "x-signature",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "x-hookline-event",
}


def verify(secret: str, received: Received) -> dict[str, Any]:
    """Both signatures, checked as a receiver would: the standardwebhooks library, and hmac."""
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Signature"], expected)
    StandardWebhook(secret).verify(received.body, received.headers)
    return received.json


def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {
        "HOOKLINE_DATABASE_URL": f"sqlite://{tmp_path / 'hookline.db'}",
        "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
    }


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[HooklineProcess]:
    async with HooklineProcess(sqlite_env(tmp_path), tmp_path / "serve.log", ("serve",)) as s:
        yield s


@pytest.fixture
async def web() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def test_an_event_reaches_the_receiver_as_a_real_delivery_would(
    tmp_path: Path, server: HooklineProcess, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    gql = RemoteGraphQL(web, server.url, made)
    real = await Receiver().start()
    try:
        hook = (
            await gql(
                "mutation($u:String!){createWebhook(input:{url:$u}){id secret}}", {"u": real.url}
            )
        )["createWebhook"]
        args = ("--after", "0", "--print-json")
        async with ListenProcess(
            server.url, made["token"], receiver.url, tmp_path / "state", *args
        ) as listener:
            assert listener.secret.startswith("whsec_")
            await gql(CREATE_LIST, {"p": made["projectId"], "t": "Inbox"})
            [local] = await receiver.wait_for(1)
            [remote] = await real.wait_for(1)
            body, sent = verify(listener.secret, local), verify(hook["secret"], remote)
            line = await listener.line(lambda text: "TODO_LIST_CREATED" in text)
    finally:
        await real.stop()

    # The same body as the real delivery, but for the webhook it names.
    assert {k: v for k, v in body.items() if k != "webhook"} == {
        k: v for k, v in sent.items() if k != "webhook"
    }
    assert body["webhook"].keys() == sent["webhook"].keys()
    assert body["webhook"]["id"] == body["webhook"]["uid"] == "local"
    assert body["webhook"]["url"] == receiver.url and body["webhook"]["secret"] == ""
    assert body["webhook"]["createdById"] == made["userId"]
    assert body["webhook"]["companyId"] == made["companyId"]
    assert (body["webhook"]["events"], body["webhook"]["projectIds"]) == ([], [])
    # The same headers, and a webhook-id stable per event.
    names = {name.lower() for name in local.headers}
    assert names >= SIGNED and {name.lower() for name in remote.headers} >= SIGNED
    for name in ("Content-Type", "User-Agent", "X-Hookline-Event"):
        assert local.headers[name] == remote.headers[name]
    assert local.headers["webhook-id"] == f"msg_{body['eventId']}_local"
    # One line: time, event, ids, status and latency; the body after it with --print-json.
    assert re.match(
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d  TODO_LIST_CREATED  event={body['eventId']} "
        rf"project={made['projectId']} id={body['currentValue']['id']}  -> 200 in \d+ ms$",
        line,
    ), line
    printed = "\n".join(listener.out)
    assert f'"eventId": "{body["eventId"]}"' in printed


async def committed_lists(gql: RemoteGraphQL, project_id: str) -> set[str]:
    found: set[str] = set()
    while page := (await gql(LISTS, {"p": project_id, "s": len(found)}))["todoLists"]:
        found |= {item["id"] for item in page}
    return found


def created_lists(requests: list[Received]) -> set[str]:
    return {
        r.json["currentValue"]["id"] for r in requests if r.json["event"] == "TODO_LIST_CREATED"
    }


async def test_kills_of_server_and_listener_lose_no_event_and_change_no_webhook_id(
    tmp_path: Path, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    env = sqlite_env(tmp_path)
    server = await HooklineProcess(env, tmp_path / "serve.log", ("serve", "--no-bridge")).start()
    made = await bootstrap(env)
    gql = RemoteGraphQL(web, server.url, made)
    state = tmp_path / "state"
    stop = asyncio.Event()

    async def produce() -> None:
        """Lists, one after another, through the server's ups and downs."""
        n = 0
        while not stop.is_set():
            n += 1
            # While the server is down: whether this one committed, the end will tell.
            with contextlib.suppress(httpx.TransportError):
                await gql.raw(CREATE_LIST, {"p": made["projectId"], "t": f"L{n}"})
            await asyncio.sleep(0.02)  # a steady trickle, not a flood

    async def more(count: int) -> None:
        seen = len(receiver.requests)
        await receiver.wait_until(lambda requests: len(requests) >= seen + count)

    first = await ListenProcess(
        server.url, made["token"], receiver.url, state, "--after", "0"
    ).start()
    producer = asyncio.create_task(produce())
    second = None
    try:
        await more(5)
        server.kill()  # kill -9 mid-stream
        await server.start()
        await first.line(lambda text: "reconnecting in" in text, stream="err")
        await more(5)
        await first.kill()  # kill -9; it resumes from its state file, signing as before
        second = await ListenProcess(
            server.url, made["token"], receiver.url, state, "--secret", first.secret
        ).start()
        await second.line(lambda text: "listening after event" in text, stream="err")
        await more(5)
        stop.set()
        await producer
        committed = await committed_lists(gql, made["projectId"])
        requests = await receiver.wait_until(lambda got: created_lists(got) >= committed)
    finally:
        stop.set()
        await producer
        if second is not None:
            await second.stop()
        await first.kill()
        await server.stop()

    assert created_lists(requests) == committed and len(committed) >= 15
    ids: dict[str, set[str]] = {}
    for request in requests:
        body = verify(first.secret, request)
        ids.setdefault(body["eventId"], set()).add(request.headers["webhook-id"])
    assert all(found == {f"msg_{event}_local"} for event, found in ids.items())


async def run_trigger(event: str, server: str, made: dict[str, Any]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *HOOKLINE,
        "trigger",
        event,
        "--server",
        server,
        "--project",
        made["projectId"],
        env={**os.environ, "HOOKLINE_TOKEN": made["token"]},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_trigger_causes_each_of_the_37_event_types_and_listen_forwards_them(
    tmp_path: Path, server: HooklineProcess, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    async with ListenProcess(
        server.url, made["token"], receiver.url, tmp_path / "state", "--after", "0"
    ) as listener:
        turns = asyncio.Semaphore(3)  # two cores: a few processes at a time

        async def one(event: EventType) -> tuple[int, str, str]:
            async with turns:
                return await run_trigger(event, server.url, made)

        results = await asyncio.gather(*(one(event) for event in EventType))
        for event, (code, out, err) in zip(EventType, results, strict=True):
            assert code == 0 and err == "", (event, err)
            lines = out.splitlines()
            assert lines[-1] == f"triggered {event}"
            assert any(line.endswith(f"-> {event}") for line in lines), out
            assert all(" -> " in line for line in lines[:-1]), out
        requests = await receiver.wait_until(
            lambda got: {r.json["event"] for r in got} >= set(EventType)
        )
        for request in requests:
            body = verify(listener.secret, request)
            assert body["project"]["id"] == made["projectId"]
            assert request.headers["X-Hookline-Event"] == body["event"]


async def test_events_and_project_narrow_what_is_forwarded(
    tmp_path: Path, server: HooklineProcess, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    gql = RemoteGraphQL(web, server.url, made)
    other = (
        await gql(
            'mutation($c:String!){createProject(input:{companyId:$c,name:"Other"}){id}}',
            {"c": made["companyId"]},
        )
    )["createProject"]["id"]
    async with ListenProcess(
        server.url,
        made["token"],
        receiver.url,
        tmp_path / "state",
        "--after",
        "0",
        "--events",
        "todo_created",
        "--project",
        made["projectId"],
    ) as listener:
        elsewhere = (await gql(CREATE_LIST, {"p": other, "t": "Elsewhere"}))["createTodoList"]
        await gql(CREATE_TODO, {"l": elsewhere["id"]})
        here = (await gql(CREATE_LIST, {"p": made["projectId"], "t": "Here"}))["createTodoList"]
        last = (await gql(CREATE_TODO, {"l": here["id"]}))["createTodo"]["id"]
        # The stream is in order and forwarded one by one: once the last event is in, any
        # event before it that passed the filters would be in too.
        requests = await receiver.wait_until(
            lambda got: any(r.json["currentValue"]["id"] == last for r in got)
        )
        body = verify(listener.secret, requests[-1])
    assert [r.json["event"] for r in requests] == ["TODO_CREATED"]
    assert body["project"]["id"] == made["projectId"]
    assert body["webhook"]["events"] == ["TODO_CREATED"]
    assert body["webhook"]["projectIds"] == [made["projectId"]]


async def test_a_member_hears_only_the_projects_they_belong_to(
    tmp_path: Path, server: HooklineProcess, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    owner = RemoteGraphQL(web, server.url, made)
    other = (
        await owner(
            'mutation($c:String!){createProject(input:{companyId:$c,name:"Private"}){id}}',
            {"c": made["companyId"]},
        )
    )["createProject"]["id"]
    email = f"member-{uuid.uuid4().hex[:8]}@acme.test"
    await owner(
        "mutation($p:String!,$e:String!){addProjectMember(input:{projectId:$p,email:$e,"
        "level:MEMBER}){id}}",
        {"p": made["projectId"], "e": email},
    )
    member = await hookline_cli(["token", "create", "--email", email], server.env)
    async with ListenProcess(
        server.url, member["token"], receiver.url, tmp_path / "state", "--after", "0"
    ):
        await owner(CREATE_LIST, {"p": other, "t": "Not yours"})
        last = (await owner(CREATE_LIST, {"p": made["projectId"], "t": "Yours"}))["createTodoList"]
        # In order, one by one: once the last is in, an earlier one that passed would be too.
        requests = await receiver.wait_until(
            lambda got: any(r.json["currentValue"]["id"] == last["id"] for r in got)
        )
    assert [r.json["currentValue"]["title"] for r in requests] == ["Yours"]
    assert requests[0].json["webhook"]["createdById"] == member["userId"]


async def test_a_failing_receiver_is_retried_and_reported_and_the_stream_goes_on(
    tmp_path: Path, server: HooklineProcess, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    gql = RemoteGraphQL(web, server.url, made)
    for _ in range(4):
        receiver.answer(500)  # the first event fails every attempt
    receiver.answer(503, {"Retry-After": "1"})  # the second succeeds on its second attempt
    async with ListenProcess(
        server.url, made["token"], receiver.url, tmp_path / "state", "--after", "0"
    ) as listener:
        await gql(CREATE_LIST, {"p": made["projectId"], "t": "Fails"})
        await gql(CREATE_LIST, {"p": made["projectId"], "t": "Recovers"})
        requests = await receiver.wait_for(6)
        failed = await listener.line(lambda text: "FAILED" in text)
        recovered = await listener.line(lambda text: text.endswith("ms") and "200 in" in text)
    assert "FAILED after 4 attempts: HTTP 500" in failed
    assert sum("retrying in" in line for line in listener.out) == 4
    first, second = [r.json["eventId"] for r in requests[:4]], requests[5].json["eventId"]
    assert len(set(first)) == 1 and second != first[0] and f"event={second}" in recovered
    assert {r.headers["webhook-id"] for r in requests[:4]} == {f"msg_{first[0]}_local"}
    # A Retry-After of 1 s was honoured: the retry came no sooner.
    assert (
        int(requests[5].headers["webhook-timestamp"])
        >= int(requests[4].headers["webhook-timestamp"]) + 1
    )


async def test_a_receiver_that_is_gone_is_not_retried(
    tmp_path: Path, server: HooklineProcess, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    gql = RemoteGraphQL(web, server.url, made)
    receiver.answer(410)
    async with ListenProcess(
        server.url, made["token"], receiver.url, tmp_path / "state", "--after", "0"
    ) as listener:
        await gql(CREATE_LIST, {"p": made["projectId"], "t": "Gone"})
        await gql(CREATE_LIST, {"p": made["projectId"], "t": "Back"})
        requests = await receiver.wait_for(2)
        line = await listener.line(lambda text: "FAILED" in text)
    assert "FAILED after 1 attempt: HTTP 410" in line and "would now be disabled" in line
    assert requests[0].json["eventId"] != requests[1].json["eventId"]


def one_line(stderr: list[str], *fragments: str) -> str:
    """The last line on stderr, which says why the command ended."""
    assert stderr and not any("Traceback" in line for line in stderr), stderr
    last = stderr[-1]
    assert last.startswith("hookline: "), stderr
    for fragment in fragments:
        assert fragment in last, last
    return last


async def test_a_rejected_token_ends_listen_and_trigger_with_one_line(
    tmp_path: Path, server: HooklineProcess
) -> None:
    listener = ListenProcess(server.url, "nobody.wrong", "http://127.0.0.1:9/", tmp_path / "s")
    listener.process = await asyncio.create_subprocess_exec(
        *HOOKLINE, *listener.args, env=listener.env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(listener.process.communicate(), 30)
    assert listener.process.returncode == 1
    [line] = err.decode().splitlines()
    one_line([line], "UNAUTHENTICATED", "Unknown token")

    code, out, err = await run_trigger(
        "TODO_CREATED", server.url, {"projectId": "p", "token": "nobody.wrong"}
    )
    assert code == 1 and out == ""
    one_line(err.splitlines(), "UNAUTHENTICATED")


async def test_a_token_revoked_while_listening_ends_listen_with_one_line(
    tmp_path: Path, server: HooklineProcess, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    gql = RemoteGraphQL(web, server.url, made)
    async with ListenProcess(
        server.url, made["token"], receiver.url, tmp_path / "state", "--after", "0"
    ) as listener:
        await gql(CREATE_LIST, {"p": made["projectId"], "t": "Heard"})
        await receiver.wait_for(1)
        await gql(
            "mutation($t:String!){revokeApiToken(input:{tokenId:$t}){success}}",
            {"t": made["tokenId"]},
        )
        assert await listener.wait() == 1
    one_line(listener.err, "UNAUTHENTICATED")


async def test_a_project_the_token_cannot_see_ends_listen_with_one_line(
    tmp_path: Path, server: HooklineProcess, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    listener = ListenProcess(
        server.url, made["token"], receiver.url, tmp_path / "s", "--project", "nope"
    )
    await listener.start()
    assert await listener.wait() == 1
    one_line(listener.err, "PROJECT_NOT_FOUND", "nope")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--after", "yesterday"], "--after"),
        (["--events", "TODO_CREATED,NOPE"], "unknown event 'NOPE'"),
        (["--secret", "hunter2"], "--secret"),
        (["--forward-to", "ftp://127.0.0.1/"], "--forward-to"),
        (["--token", "no-dot"], "--token"),
        (["--server", "127.0.0.1:8000"], "--server"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
async def test_command_line_mistakes_are_one_line(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    base = {
        "--server": "http://127.0.0.1:9",
        "--token": "a.b",
        "--forward-to": "http://127.0.0.1:9/",
    }
    for name, value in zip(args[::2], args[1::2], strict=False):
        base[name] = value
    argv = [*HOOKLINE, "listen", *(x for pair in base.items() for x in pair)]
    if args == ["--bogus"]:
        argv.append("--bogus")
    process = await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, "XDG_STATE_HOME": str(tmp_path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and out == b""
    [line] = err.decode().splitlines()
    one_line([line], fragment)


async def test_a_cursor_past_the_retention_ends_listen_with_one_line(
    app: Any, gql: Client, owner: Account, tmp_path: Path
) -> None:
    tracker = Tracker(gql, owner.project_id)
    cursor = await tracker.cursor()
    await tracker.todo_list("old")
    [old] = await tracker.events_since(cursor)
    await Event.filter(id__lte=old.id).update(created_at=old.created_at.replace(year=2000))
    await retention.purge_events(30, matched_through=old.id)
    async with uvicorn_server(app) as address:
        listener = ListenProcess(
            f"http://{address}",
            owner.token,
            "http://127.0.0.1:9/",
            tmp_path / "state",
            "--after",
            str(cursor),
        )
        await listener.start()
        assert await listener.wait() == 1
    one_line(listener.err, "CURSOR_EXPIRED", f"after event {cursor}", "--after now")


async def test_a_second_listener_of_the_same_server_and_token_is_refused(
    tmp_path: Path, server: HooklineProcess, receiver: Receiver
) -> None:
    made = await bootstrap(server.env)
    state = tmp_path / "state"
    async with ListenProcess(server.url, made["token"], receiver.url, state):
        again = ListenProcess(server.url, made["token"], receiver.url, state)
        again.process = await asyncio.create_subprocess_exec(
            *HOOKLINE, *again.args, env=again.env, stderr=asyncio.subprocess.PIPE
        )
        _, err = await asyncio.wait_for(again.process.communicate(), 30)
    assert again.process.returncode == 2
    one_line(err.decode().splitlines(), "another `hookline listen`")
    [saved] = [
        json.loads(p.read_text()) for p in (state / "hookline" / "listen").glob("*.json")
    ] or [None]
    assert saved is None  # nothing forwarded, nothing saved; and never the token's secret


# PostgreSQL + Redis: two API processes; the listener follows one, mutations go through the
# other, and events committed while the listener's server is down arrive once it is back.


@pytest.fixture(scope="module")
def pg_listen_database() -> Iterator[PgDatabase]:
    if not (POSTGRES_URL and REDIS_URL):
        pytest.skip("needs HOOKLINE_TEST_POSTGRES_URL and HOOKLINE_TEST_REDIS_URL")
    database = PgDatabase(POSTGRES_URL, f"hookline_listen_{uuid.uuid4().hex[:10]}")
    database.create()
    yield database
    database.drop()


async def test_listen_on_postgresql_and_redis_resumes_across_a_server_kill(
    pg_listen_database: PgDatabase,
    tmp_path: Path,
    web: httpx.AsyncClient,
    receiver: Receiver,
) -> None:
    assert REDIS_URL
    env = {"HOOKLINE_DATABASE_URL": pg_listen_database.url, "HOOKLINE_REDIS_URL": REDIS_URL}
    a = await HooklineProcess(env, tmp_path / "a.log").start()
    b = await HooklineProcess(env, tmp_path / "b.log").start()
    listener = None
    try:
        made = await bootstrap(env)
        on_b = RemoteGraphQL(web, b.url, made)
        listener = await ListenProcess(
            a.url, made["token"], receiver.url, tmp_path / "state", "--after", "0"
        ).start()
        await on_b(CREATE_LIST, {"p": made["projectId"], "t": "before"})
        await receiver.wait_for(1)
        a.kill()
        await on_b(CREATE_LIST, {"p": made["projectId"], "t": "while A is down"})
        await a.start()
        await on_b(CREATE_LIST, {"p": made["projectId"], "t": "after"})
        requests = await receiver.wait_for(3)
    finally:
        if listener is not None:
            await listener.stop()
        await a.stop()
        await b.stop()
    titles = [verify(listener.secret, r)["currentValue"]["title"] for r in requests]
    assert titles == ["before", "while A is down", "after"]
    assert len({r.headers["webhook-id"] for r in requests}) == 3
