"""Fan-out: one mutation, N graphql-transport-ws subscribers; how long until all N have it.

`hookline serve --no-bridge` runs in a subprocess on a temporary SQLite file. Each round sends
one createTodoList mutation and times it until every subscriber has received that event.
Baseline, measured in the same run against the same server: the same rounds with a single
subscriber (and the mutation's HTTP round trip alone). A last round follows a project
membership change, which makes every subscription re-read what its user may see.
Goal: p99 <= 100 ms for 1,000 subscribers.

    .venv/bin/python bench/bench_fanout.py [--subscribers 1000] [--rounds 20]
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
HOOKLINE = [sys.executable, "-m", "hookline.cli"]
GOAL = 0.100
SUBSCRIPTION = """subscription($p:[String!],$a:String){events(projectIds:$p,after:$a)
{id event createdAt companyId projectId userId previousValue currentValue}}"""
MUTATION = "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}"
ADD_MEMBER = """mutation($p:String!,$e:String!)
{addProjectMember(input:{projectId:$p,email:$e,level:MEMBER}){id}}"""


@dataclass
class Round:
    """One event's arrival at every subscriber."""

    expected: int
    marker: bytes
    started: float = 0.0
    answered: float = 0.0
    last: float = 0.0
    arrived: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived == self.expected:
            self.last = time.perf_counter()
            self.complete.set()

    @property
    def all_in(self) -> float:
        return self.last - self.started

    @property
    def round_trip(self) -> float:
        return self.answered - self.started


@dataclass
class Phase:
    subscribers: int
    rounds: list[Round]
    after_membership_change: Round


class Subscribers:
    """N sockets, each with one `events` subscription; a round ends when all N have its event."""

    def __init__(self, address: str, token: str, project_id: str) -> None:
        self.address, self.token, self.project_id = address, token, project_id
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.round: Round | None = None
        self.failure: str | None = None

    async def open(self, count: int, after: int) -> None:
        gate = asyncio.Semaphore(50)

        async def one() -> None:
            async with gate:
                sock = await connect(
                    f"ws://{self.address}/graphql",
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                    compression=None,
                    max_size=None,
                    open_timeout=30,
                )
                init = {"authorization": f"Bearer {self.token}"}
                await sock.send(json.dumps({"type": "connection_init", "payload": init}))
                ack = json.loads(await sock.recv())
                assert ack["type"] == "connection_ack", ack
                variables = {"p": [self.project_id], "a": str(after)}
                payload = {"query": SUBSCRIPTION, "variables": variables}
                await sock.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
                self.sockets.append(sock)
                self.readers.append(asyncio.create_task(self._read(sock)))

        await asyncio.gather(*(one() for _ in range(count)))

    async def _read(self, sock: ClientConnection) -> None:
        async for message in sock:
            current = self.round
            raw = message if isinstance(message, bytes) else message.encode()
            if b'"next"' not in raw:
                continue
            # A cheap check, so the client's own CPU does not dominate what is measured.
            if current is None or current.marker not in raw:
                self.failure = f"unexpected message: {raw[:300]!r}"
                if current is not None:
                    current.complete.set()
                return
            current.arrive()

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


async def run_round(
    http: httpx.AsyncClient, subscribers: Subscribers, label: str, timeout: float = 30
) -> Round:
    title = f"{label} {uuid.uuid4().hex}"
    current = Round(expected=len(subscribers.sockets), marker=title.encode())
    subscribers.round = current
    current.started = time.perf_counter()
    response = await http.post(
        "/graphql", json={"query": MUTATION, "variables": {"p": subscribers.project_id, "t": title}}
    )
    current.answered = time.perf_counter()
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    await asyncio.wait_for(current.complete.wait(), timeout)
    if subscribers.failure:
        raise RuntimeError(subscribers.failure)
    return current


async def measure(
    address: str, made: dict[str, str], count: int, rounds: int, database: Path
) -> Phase:
    headers = {"Authorization": f"Bearer {made['token']}"}
    async with httpx.AsyncClient(base_url=f"http://{address}", headers=headers) as http:
        subscribers = Subscribers(address, made["token"], made["projectId"])
        opened = time.perf_counter()
        # Subscribing `after` the newest event: nothing is missed while the sockets open.
        await subscribers.open(count, latest_event_id(database))
        try:
            # Warm-up: proves every subscription is live (each replays from the cursor).
            await run_round(http, subscribers, "warm-up", timeout=120)
            print(f"  {count} subscribers ready in {time.perf_counter() - opened:.1f} s")
            measured = []
            for i in range(rounds):
                await asyncio.sleep(0.05)
                measured.append(await run_round(http, subscribers, f"round {i}"))
            email = f"{uuid.uuid4().hex[:12]}@bench.test"
            response = await http.post(
                "/graphql",
                json={"query": ADD_MEMBER, "variables": {"p": made["projectId"], "e": email}},
            )
            assert "errors" not in response.json(), response.text
            after_change = await run_round(http, subscribers, "after a membership change")
            return Phase(count, measured, after_change)
        finally:
            await subscribers.close()


def latest_event_id(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return conn.execute("SELECT COALESCE(MAX(id), 0) FROM event").fetchone()[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def ms(value: float) -> str:
    return f"{value * 1000:6.1f} ms"


def report(phase: Phase) -> tuple[float, float]:
    all_in = [r.all_in for r in phase.rounds]
    p50, p99 = percentile(all_in, 50), percentile(all_in, 99)
    rtt = percentile([r.round_trip for r in phase.rounds], 50)
    print(
        f"  {phase.subscribers:>5} subscriber(s): all received p50 {ms(p50)}  p99 {ms(p99)}"
        f"  | after a membership change {ms(phase.after_membership_change.all_in)}"
        f"  | mutation HTTP round trip p50 {ms(rtt)}"
    )
    if os.environ.get("BENCH_VERBOSE"):
        print("    rounds (ms):", " ".join(f"{x * 1000:.0f}" for x in all_in))
    return p50, p99


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [*HOOKLINE, "serve", "--port", str(port), "--no-bridge"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    for _ in range(300):
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://{address}/readyz", timeout=1).status_code == 200:
                return process, address
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("hookline serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        env = {
            **os.environ,
            "HOOKLINE_DATABASE_URL": f"sqlite://{database}",
            # One token's thousand sockets are this load test's point, not an honest client's:
            # lift the per-token limits (README "Limits") that would refuse them.
            "HOOKLINE_MAX_CONNECTIONS_PER_TOKEN": str(args.subscribers + 1),
            "HOOKLINE_MAX_SUBSCRIPTIONS_PER_TOKEN": str(args.subscribers + 1),
            "HOOKLINE_RATE_LIMIT_CONNECTIONS": f"{2 * args.subscribers + 2}/minute",
        }
        bootstrap = subprocess.run(
            [*HOOKLINE, "bootstrap", "--company", "B", "--email", "b@acme.test", "--project", "W"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        )
        made = json.loads(bootstrap.stdout)
        process, address = start_server(env)
        if os.environ.get("BENCH_VERBOSE"):
            print(f"server pid {process.pid}", flush=True)
        try:
            print(f"fan-out over graphql-transport-ws, {args.rounds} rounds, SQLite, 1 process")
            single = asyncio.run(measure(address, made, 1, args.rounds, database))
            many = asyncio.run(measure(address, made, args.subscribers, args.rounds, database))
            rss = peak_rss_mib(process.pid)
        finally:
            process.terminate()
            process.wait(10)
    one_p50, one_p99 = report(single)
    p50, p99 = report(many)
    per_subscriber = (p50 - one_p50) / max(1, args.subscribers - 1)
    print(f"  server peak RSS {rss:.0f} MiB")
    print(f"  ratio p99 {args.subscribers} / p99 1 subscriber: {p99 / one_p99:.1f}x")
    print(f"  marginal cost ~{per_subscriber * 1e6:.0f} µs per subscriber per event")
    verdict = "met" if p99 <= GOAL else "MISSED"
    print(f"  goal p99 <= {GOAL * 1000:.0f} ms with {args.subscribers} subscribers: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
