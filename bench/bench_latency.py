"""Latency: a mutation sent → its webhook received, over sequential events.

Baseline, measured in the same run: one bare Strawberry mutation round trip (bench/bare_app.py
on uvicorn) plus one raw aiohttp POST to the same receiver. Goal: p50 under 3 ms and under
3x the baseline.

    .venv/bin/python bench/bench_latency.py [--events 1000]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, percentile, start, summary

CREATE = "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}"


class Arrivals:
    def __init__(self) -> None:
        self.waiter: asyncio.Future[None] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)
        return web.Response(text="ok")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()

    arrivals = Arrivals()
    app = web.Application()
    app.router.add_post("/hook", arrivals.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    receiver_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", receiver_port).start()
    hook_url = f"http://127.0.0.1:{receiver_port}/hook"

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "HOOKLINE_DATABASE_URL": f"sqlite://{tmp}/latency.db",
            "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
        }
        made = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "hookline.cli",
                    "bootstrap",
                    "--company",
                    "Bench",
                    "--email",
                    "bench@acme.test",
                    "--project",
                    "Web",
                ],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        port, bare_port = free_port(), free_port()
        server = start(
            ["-m", "hookline.cli", "serve", "--port", str(port)],
            env,
            ready_url=f"http://127.0.0.1:{port}/healthz",
        )
        bare = start(
            ["bench/bare_app.py", str(bare_port)], ready_url=f"http://127.0.0.1:{bare_port}/graphql"
        )
        try:
            headers = {
                "Authorization": f"Bearer {made['token']}",
                "X-Bloo-Company-ID": made["companyId"],
            }
            async with aiohttp.ClientSession(headers=headers) as session:
                url = f"http://127.0.0.1:{port}/graphql"

                async def gql(query: str, variables: dict) -> dict:
                    async with session.post(
                        url, json={"query": query, "variables": variables}
                    ) as r:
                        body = await r.json()
                    assert "errors" not in body, body
                    return body["data"]

                await gql(
                    "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_CREATED]}){id}}",
                    {"u": hook_url},
                )
                list_id = (
                    await gql(
                        'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}',
                        {"p": made["projectId"]},
                    )
                )["createTodoList"]["id"]
                loop = asyncio.get_running_loop()

                responded: list[float] = []

                async def one(n: int) -> float:
                    arrivals.waiter = loop.create_future()
                    started = time.perf_counter()
                    await gql(CREATE, {"l": list_id, "t": f"todo {n}"})
                    responded.append(time.perf_counter() - started)
                    await asyncio.wait_for(arrivals.waiter, 10)
                    return time.perf_counter() - started

                async def baseline(n: int) -> float:
                    started = time.perf_counter()
                    async with session.post(
                        f"http://127.0.0.1:{bare_port}/graphql",
                        json={
                            "query": "mutation($t:String!){createTodo(title:$t)}",
                            "variables": {"t": f"todo {n}"},
                        },
                    ) as r:
                        await r.read()
                    async with session.post(hook_url, data=b'{"event":"TODO_CREATED"}') as r:
                        await r.read()
                    return time.perf_counter() - started

                for n in range(50):  # warm up both paths
                    await one(n)
                    await baseline(n)
                ours, base = [], []
                for n in range(args.events):
                    ours.append(await one(n))
                    base.append(await baseline(n))
        finally:
            server.terminate()
            bare.terminate()
            await runner.cleanup()
    ratio = percentile(ours, 50) / percentile(base, 50)
    print(f"events              {args.events} sequential")
    print(f"baseline            {summary(base)}  (bare Strawberry mutation + raw aiohttp POST)")
    print(f"mutation → webhook  {summary(ours)}")
    print(
        f"  of which response {summary(responded[-args.events :])}  (the mutation's own round trip)"
    )
    print(f"ratio (p50)         {ratio:.2f}x the baseline (goal: p50 < 3 ms and < 3x)")


if __name__ == "__main__":
    asyncio.run(main())
