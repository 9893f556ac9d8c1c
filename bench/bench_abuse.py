"""Abuse (issue 10): one tenant's floods against everyone else's service, in one run.

`hookline serve` (API, bridge, dispatcher; SQLite; default limits) runs in a subprocess.

1. Deliveries under a testWebhook flood: a tenant's healthy webhook's delivery latency
   (mutation sent → webhook received), measured quiet, then while another tenant fires 2,000
   concurrent testWebhook calls at a webhook whose endpoint never answers. Baseline: the quiet
   p99 of the same run. Goal: flood p99 within 2x the quiet p99 and never above 100 ms.
2. Amplification: 1,500 comments of 5 KB on one todo; the issue's 30-alias comments query and
   the largest comments query the cost budget lets through, 4 of each at a time, repeatedly.
3. Connection flood: one token opens 300 WebSockets and asks for 100 subscriptions on each.
During 2 and 3 /healthz is polled every 20 ms and the server's RSS sampled.
Goal: RSS below 300 MB and every /healthz under 100 ms.

    .venv/bin/python bench/bench_abuse.py [--events 200] [--comments 1500]
"""

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from common import free_port, percentile, start

FLOOD = 2000
CONNECTIONS, SUBSCRIPTIONS = 300, 100
CREATE_TAG = "mutation($p:String!,$t:String!){createTag(input:{projectId:$p,title:$t}){id}}"
TEST = "mutation($w:String!){testWebhook(input:{webhookId:$w}){status}}"
HOOK = "mutation($u:String!,$e:[WebhookEvent!]){createWebhook(input:{url:$u,events:$e}){id}}"
LIST = 'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}'
TODO = 'mutation($l:String!){createTodo(input:{todoListId:$l,title:"T"}){id}}'
COMMENT = (
    "mutation($t:String!,$x:String!){createComment(input:{html:$x,text:$x,categoryId:$t}){id}}"
)
SUBSCRIBE = "subscription{todoListEvents{id}}"


class Receivers:
    """/healthy wakes whoever waits for the next delivery; /hang never answers."""

    def __init__(self) -> None:
        self.waiter: asyncio.Future[None] | None = None
        self.url = ""

    async def healthy(self, request: web.Request) -> web.Response:
        await request.read()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)
        return web.Response(text="ok")

    async def hang(self, request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response(text="late")

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator["Receivers"]:
        app = web.Application()
        app.router.add_post("/healthy", self.healthy)
        app.router.add_post("/hang", self.hang)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            await runner.cleanup()


@dataclass
class Api:
    base: str
    pid: int
    made: dict[str, str]
    session: aiohttp.ClientSession

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {"query": query, "variables": variables or {}}
        async with self.session.post(f"{self.base}/graphql", json=body) as response:
            return await response.json()

    async def ok(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.raw(query, variables)
        assert "errors" not in body, body
        return body["data"]


@contextlib.asynccontextmanager
async def serve() -> AsyncIterator[tuple[Api, Api]]:
    """The server, and two tenants: one whose deliveries are measured, one who floods."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "HOOKLINE_DATABASE_URL": f"sqlite://{tmp}/abuse.db",
            "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
        }

        def bootstrap(company: str) -> dict[str, str]:
            args = [sys.executable, "-m", "hookline.cli", "bootstrap", "--company", company]
            args += ["--email", f"{company.lower()}@acme.test", "--project", "Web"]
            done = subprocess.run(
                args, env={**os.environ, **env}, capture_output=True, text=True, check=True
            )
            return json.loads(done.stdout)

        tenants = [bootstrap("Victim"), bootstrap("Attacker")]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(["-m", "hookline.cli", "serve", "--port", str(port)], env, f"{base}/healthz")
        try:
            async with contextlib.AsyncExitStack() as stack:
                apis = []
                for made, burst in zip(tenants, (False, True), strict=True):
                    headers = {
                        "Authorization": f"Bearer {made['token']}",
                        "X-Bloo-Company-ID": made["companyId"],
                    }
                    session = await stack.enter_async_context(
                        aiohttp.ClientSession(
                            headers=headers,
                            # Bursts leave idle connections the server closes after its
                            # keep-alive; a fresh one per request never meets a closed one.
                            connector=aiohttp.TCPConnector(limit=0, force_close=burst),
                        )
                    )
                    apis.append(Api(base, server.pid, made, session))
                yield apis[0], apis[1]
        finally:
            server.terminate()
            server.wait(20)


class Watch:
    """Polls /healthz every 20 ms and samples the server's RSS while a phase runs."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.healthz: list[float] = []
        self.rss: list[float] = []

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.healthz, self.rss = [], []
        stop = asyncio.Event()
        task = asyncio.create_task(self._poll(stop))
        try:
            yield
        finally:
            stop.set()
            await task

    async def _poll(self, stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession() as session:
            while not stop.is_set():
                started = time.perf_counter()
                async with session.get(f"{self.api.base}/healthz") as response:
                    await response.read()
                self.healthz.append(time.perf_counter() - started)
                self.rss.append(rss_mib(self.api.pid))
                await asyncio.sleep(0.02)

    def report(self, label: str) -> float:
        worst = max(self.healthz)
        print(
            f"  {label}: /healthz max {worst * 1000:.1f} ms, p99 "
            f"{percentile(self.healthz, 99) * 1000:.1f} ms ({len(self.healthz)} polls); "
            f"RSS max {max(self.rss):.0f} MiB"
        )
        return worst


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- the attacks, each in a process of its own: the client's work must not slow the measuring --


async def flood(base: str, headers: dict[str, str], webhook_id: str) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    # A connection per request: a burst's idle connections would meet the server's keep-alive.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:

        async def test_once() -> None:
            body = {"query": TEST, "variables": {"w": webhook_id}}
            async with session.post(f"{base}/graphql", json=body) as response:
                errors = (await response.json()).get("errors")
            outcomes[errors[0]["extensions"]["code"] if errors else "sent"] += 1

        await asyncio.gather(*(test_once() for _ in range(FLOOD)))
    return {"testWebhook": dict(outcomes)}


async def amplify(base: str, headers: dict[str, str], todo: str) -> dict[str, Any]:
    field = f'comments(todoId:"{todo}"{{take}}){{{{id html text}}}}'
    issue = "{" + " ".join(f"a{n}: " + field.format(take="") for n in range(30)) + "}"
    # The largest the budget lets through: 16 aliases of 10 comments with html and text.
    largest = "{" + " ".join(f"a{n}: " + field.format(take=",take:10") for n in range(16)) + "}"
    sizes: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    async with aiohttp.ClientSession(headers=headers) as session:

        async def ask(query: str, label: str) -> None:
            async with session.post(f"{base}/graphql", json={"query": query}) as response:
                body = await response.read()
            sizes[label] = max(sizes[label], len(body))
            errors = json.loads(body).get("errors")
            codes[f"{label}: {errors[0]['extensions']['code'] if errors else 'answered'}"] += 1

        for _ in range(10):
            await asyncio.gather(
                *(ask(issue, "the issue's 30 aliases") for _ in range(4)),
                *(ask(largest, "the budget's largest") for _ in range(4)),
            )
    return {"answers": dict(codes), "largest bytes": dict(sizes)}


async def connect(base: str, headers: dict[str, str], _: str) -> dict[str, Any]:
    init = {"type": "connection_init", "payload": {"authorization": headers["Authorization"]}}
    counts: Counter[str] = Counter()
    async with aiohttp.ClientSession() as session:
        sockets: list[aiohttp.ClientWebSocketResponse] = []

        async def one() -> None:
            sock = await session.ws_connect(f"{base}/graphql", protocols=["graphql-transport-ws"])
            sockets.append(sock)
            await sock.send_json(init)
            reply = await sock.receive()
            if reply.type != aiohttp.WSMsgType.TEXT:
                counts[f"refused ({sock.close_code})"] += 1
                return
            counts["accepted"] += 1
            for n in range(SUBSCRIPTIONS):
                payload = {"query": SUBSCRIBE}
                await sock.send_json({"id": str(n), "type": "subscribe", "payload": payload})
            refused = 0
            with contextlib.suppress(TimeoutError):
                while refused < SUBSCRIPTIONS:
                    message = await asyncio.wait_for(sock.receive(), 15)
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    refused += json.loads(message.data)["type"] == "error"
            counts["subscriptions started"] += SUBSCRIPTIONS - refused

        await asyncio.gather(*(one() for _ in range(CONNECTIONS)), return_exceptions=True)
        await asyncio.sleep(1)  # all held open a while
        for sock in sockets:
            await sock.close()
    return dict(counts)


ATTACKS = {"flood": flood, "amplify": amplify, "connect": connect}


@contextlib.asynccontextmanager
async def attacking(kind: str, api: Api, argument: str = "") -> AsyncIterator[asyncio.Task[Any]]:
    """Runs an attack in a child process from its first request; the task ends with its
    report."""
    headers = {
        "Authorization": f"Bearer {api.made['token']}",
        "X-Bloo-Company-ID": api.made["companyId"],
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--attack",
        json.dumps([kind, api.base, headers, argument]),
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    assert (await child.stdout.readline()).strip() == b"go"

    async def report() -> Any:
        assert child.stdout is not None
        out = await child.stdout.read()
        await child.wait()
        return json.loads(out)

    task = asyncio.create_task(report())
    try:
        yield task
    finally:
        await task


def attack(spec: str) -> None:
    kind, base, headers, argument = json.loads(spec)
    print("go", flush=True)
    print(json.dumps(asyncio.run(ATTACKS[kind](base, headers, argument))))


# -- the measurements ----------------------------------------------------------------------


async def deliveries_under_flood(
    api: Api, attacker: Api, receivers: Receivers, events: int
) -> None:
    print("1. one tenant's deliveries, quiet and while another floods testWebhook")
    await api.ok(HOOK, {"u": f"{receivers.url}/healthy", "e": ["TAG_CREATED"]})
    hanging = await attacker.ok(HOOK, {"u": f"{receivers.url}/hang", "e": ["COMMENT_CREATED"]})
    loop = asyncio.get_running_loop()

    async def delivery(n: int) -> float:
        receivers.waiter = loop.create_future()
        started = time.perf_counter()
        await api.ok(CREATE_TAG, {"p": api.made["projectId"], "t": f"tag {n} {started}"})
        await asyncio.wait_for(receivers.waiter, 30)
        return time.perf_counter() - started

    for n in range(50):
        await delivery(n)  # warm-up
    quiet = [await delivery(n) for n in range(events)]
    flooded: list[float] = []
    async with attacking("flood", attacker, hanging["createWebhook"]["id"]) as report:
        while not report.done() or len(flooded) < events:
            flooded.append(await delivery(len(flooded)))
    q99, f99 = percentile(quiet, 99), percentile(flooded, 99)
    for label, values in (("quiet", quiet), ("flood", flooded)):
        p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
        print(f"  {label}  p50 {p50:.1f} ms  p99 {p99:.1f} ms  ({len(values)} deliveries)")
    print(f"  {FLOOD} concurrent testWebhook calls: {report.result()}")
    verdict = "met" if f99 <= 2 * q99 and f99 <= 0.1 else "MISSED"
    print(f"  ratio p99 flood / quiet {f99 / q99:.2f}x (goal <= 2x and <= 100 ms): {verdict}")


async def amplification(attacker: Api, watch: Watch, comments: int) -> float:
    print(f"2. amplification: {comments} comments of 5 KB on one todo")
    todo_list = (await attacker.ok(LIST, {"p": attacker.made["projectId"]}))["createTodoList"]
    todo = (await attacker.ok(TODO, {"l": todo_list["id"]}))["createTodo"]["id"]
    for first in range(0, comments, 50):
        batch = min(50, comments - first)
        await asyncio.gather(
            *(attacker.ok(COMMENT, {"t": todo, "x": "x" * 2500}) for _ in range(batch))
        )
    async with watch.running(), attacking("amplify", attacker, todo) as report:
        pass
    print(f"  {report.result()}")
    return watch.report("during amplification")


async def connection_flood(attacker: Api, watch: Watch) -> float:
    print(
        f"3. connection flood: one token, {CONNECTIONS} WebSockets x {SUBSCRIPTIONS} subscriptions"
    )
    async with watch.running(), attacking("connect", attacker) as report:
        pass
    print(f"  {report.result()}")
    return watch.report("during the connection flood")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--comments", type=int, default=1500)
    parser.add_argument("--attack", help=argparse.SUPPRESS)
    args = parser.parse_args()
    async with Receivers().serving() as receivers, serve() as (api, attacker):
        await deliveries_under_flood(api, attacker, receivers, args.events)
        watch = Watch(api)
        worst = max(
            await amplification(attacker, watch, args.comments),
            await connection_flood(attacker, watch),
        )
        peak = rss_mib(api.pid, "VmHWM")
    print(f"server peak RSS (VmHWM) {peak:.0f} MiB; worst /healthz {worst * 1000:.1f} ms")
    verdict = "met" if peak < 300 and worst < 0.1 else "MISSED"
    print(f"goal RSS < 300 MB and /healthz < 100 ms throughout: {verdict}")
    return 0


if __name__ == "__main__":
    if "--attack" in sys.argv:
        attack(sys.argv[sys.argv.index("--attack") + 1])
    else:
        sys.exit(asyncio.run(main()))
