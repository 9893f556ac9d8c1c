"""Sustained load, open loop: events at a fixed rate (sent on schedule, whether or not the last
has answered) through one `hookline serve` process on SQLite (or, with --postgres, an API and a
bridge process with Redis), each event going to 10 webhooks, one of which answers slowly. The
events are appended to the log as the API appends them (--source log, the default: the
bridge's latency) or made by createTodoList mutations (--source api: end to end).

Goals: p99 of mutation sent → webhook received <= 20 ms for the healthy webhooks; server RSS
after all events <= 1.1x its RSS after a tenth of them.

    .venv/bin/python bench/bench_sustained.py [--rate 200] [--seconds 60]
        [--full]      # 200/s until 100,000 events (500 s): RSS after 100,000 vs 10,000
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
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from tortoise.transactions import in_transaction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, percentile, start
from bench.pg import scratch_database
from events.log import NewEvent, append_events
from models import db

WEBHOOKS = 10  # one of them slow
SLOW_SECONDS = 1.0
LATENCY_GOAL = 0.020
RSS_GOAL = 1.1
MUTATION = "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}"
CREATE_WEBHOOK = "mutation($u:String!){createWebhook(input:{url:$u}){id}}"


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def bootstrap(env: dict[str, str]) -> dict[str, str]:
    command = [sys.executable, "-m", "hookline.cli", "bootstrap", "--company", "Load"]
    command += ["--email", "load@bench.test", "--project", "Work"]
    done = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


Send = Callable[[], Awaitable[str | None]]  # one event; returns an error, if any


def through_api(session: aiohttp.ClientSession, url: str, made: dict[str, str]) -> Send:
    """An event as a client makes one: a createTodoList mutation."""
    headers = {"Authorization": f"Bearer {made['token']}"}

    async def send() -> str | None:
        variables = {"p": made["projectId"], "t": f"{time.time():.6f}"}
        try:
            async with session.post(
                url, json={"query": MUTATION, "variables": variables}, headers=headers
            ) as response:
                answer = await response.json()
        except aiohttp.ClientError as exc:
            return repr(exc)
        return str(answer["errors"][0].get("message")) if answer.get("errors") else None

    return send


def into_log(made: dict[str, str]) -> Send:
    """An event appended to the log as the API appends one, in a transaction of its own, from
    this process: what the bridge does with it is measured, not the API's cost."""

    async def send() -> str | None:
        value = {"title": f"{time.time():.6f}"}
        event = NewEvent(
            "TODO_LIST_CREATED", made["companyId"], made["projectId"], made["userId"], None, value
        )
        async with in_transaction():
            await append_events([event])
        return None

    return send


async def open_loop(
    send: Send, rate: float, total: int, on_sent: dict[int, asyncio.Event]
) -> tuple[list[str], list[float]]:
    """Send `total` events at `rate`/s on schedule, whether or not the last has answered;
    returns the errors seen and each send's response time."""
    errors: list[str] = []
    answered: list[float] = []

    async def one() -> None:
        sent = time.time()
        error = await send()
        answered.append(time.time() - sent)
        if error:
            errors.append(error)

    tasks: set[asyncio.Task[None]] = set()
    started = time.perf_counter()
    for n in range(total):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        if n + 1 in on_sent:
            on_sent[n + 1].set()
    await asyncio.gather(*tasks)
    return errors, answered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--webhooks", type=int, default=WEBHOOKS, help="the first one slow")
    parser.add_argument("--full", action="store_true")
    parser.add_argument(
        "--postgres",
        help="an existing database: run `serve --no-bridge` and `bridge` on a scratch one "
        "beside it, with --redis, instead of one SQLite process",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--source",
        choices=["log", "api"],
        default="log",
        help="log: events appended to the log directly (the bridge's latency); api: "
        "createTodoList mutations (end to end, the API's cost included)",
    )
    args = parser.parse_args()
    total = 100_000 if args.full else int(args.rate * args.seconds)
    checkpoint = total // 10
    receiver_port = free_port()
    receiver = start(
        ["bench/sustained_receiver.py", str(receiver_port), str(SLOW_SECONDS)],
        ready_url=f"http://127.0.0.1:{receiver_port}/stats",
    )
    hooks = f"http://127.0.0.1:{receiver_port}"
    async with contextlib.AsyncExitStack() as stack:
        if args.postgres:
            url = await stack.enter_async_context(scratch_database(args.postgres, "sustained"))
            env = {"HOOKLINE_DATABASE_URL": url, "HOOKLINE_REDIS_URL": args.redis}
            commands = [["serve", "--no-bridge"], ["bridge"]]
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            env = {"HOOKLINE_DATABASE_URL": f"sqlite://{tmp}/sustained.db"}
            commands = [["serve"]]
        env["HOOKLINE_ALLOW_PRIVATE_URLS"] = "1"
        # One client token sends every event: the per-token rate limits are not measured here.
        env["HOOKLINE_RATE_LIMIT_REQUESTS"] = "1000000/minute"
        env["HOOKLINE_MAX_CONCURRENT_OPERATIONS_PER_TOKEN"] = "1024"
        if args.source == "log":  # no announcement comes from this process: poll the log
            env["HOOKLINE_EVENT_POLL_SECONDS"] = "0.002"
        made = bootstrap(env)
        servers = []
        for command in commands:
            server_port = free_port()
            servers.append(
                start(
                    ["-m", "hookline.cli", *command, "--port", str(server_port)],
                    env,
                    ready_url=f"http://127.0.0.1:{server_port}/healthz",
                )
            )
            if command[0] == "serve":
                port = server_port
        graphql = f"http://127.0.0.1:{port}/graphql"
        try:
            connector = aiohttp.TCPConnector(limit=256)
            async with aiohttp.ClientSession(connector=connector) as session:
                headers = {
                    "Authorization": f"Bearer {made['token']}",
                    "X-Bloo-Company-ID": made["companyId"],
                }
                for n in range(args.webhooks):
                    target = f"{hooks}/slow" if n == 0 else f"{hooks}/fast"
                    async with session.post(
                        graphql,
                        json={"query": CREATE_WEBHOOK, "variables": {"u": target}},
                        headers=headers,
                    ) as response:
                        answer = await response.json()
                        assert not answer.get("errors"), answer
                marks = {checkpoint: asyncio.Event()}
                if args.source == "log":
                    await db.init(env["HOOKLINE_DATABASE_URL"])
                    stack.push_async_callback(db.close)
                    send = into_log(made)
                else:
                    send = through_api(session, graphql, made)
                sending = asyncio.create_task(open_loop(send, args.rate, total, marks))
                await marks[checkpoint].wait()
                await asyncio.sleep(1.0)  # its deliveries out
                rss_early = sum(rss_mib(server.pid) for server in servers)
                errors, answered = await sending
                expected = total * max(args.webhooks - 1, 0)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    async with session.get(f"{hooks}/stats") as response:
                        stats = await response.json()
                    if stats["fast"] >= expected:
                        break
                    await asyncio.sleep(0.5)
                rss_late = sum(rss_mib(server.pid) for server in servers)
        finally:
            for server in servers:
                server.terminate()
                server.wait()
            receiver.terminate()
    latencies = stats["latencies"] or [float("nan")]
    p99 = percentile(latencies, 99)
    setup = (
        "PostgreSQL + Redis, API and bridge processes" if args.postgres else "SQLite, one process"
    )
    source = "appended to the log" if args.source == "log" else "createTodoList mutations"
    print(
        f"open loop {args.rate:g} events/s ({source}), {total:,} events, {args.webhooks} "
        f"webhooks (1 answering after {SLOW_SECONDS:g} s); {setup}"
    )
    print(f"send errors         {len(errors)}{' e.g. ' + errors[0] if errors else ''}")
    print(
        f"send answered       p50 {percentile(answered, 50) * 1000:.1f} ms, "
        f"p99 {percentile(answered, 99) * 1000:.1f} ms"
    )
    print(f"healthy deliveries  {stats['fast']:,} of {expected:,}; slow one got {stats['slow']:,}")
    print(
        f"sent → received     p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"  goal p99 <= {LATENCY_GOAL * 1000:.0f} ms: {'met' if p99 <= LATENCY_GOAL else 'NOT met'}"
    )
    ratio = rss_late / rss_early
    print(
        f"server RSS          {rss_early:.0f} MiB after {checkpoint:,} events, "
        f"{rss_late:.0f} MiB after {total:,}: {ratio:.2f}x"
    )
    print(f"  goal <= {RSS_GOAL}x: {'met' if ratio <= RSS_GOAL else 'NOT met'}")


if __name__ == "__main__":
    asyncio.run(main())
