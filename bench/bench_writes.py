"""Writes on PostgreSQL: API mutations/s with 1, 8 and 32 concurrent writers through two API
processes, three ways in one run (see bench/api_variant.py):

  horizon  the product: writers take no lock; readers follow the log below the snapshot horizon
  lock     the earlier design: every event insert takes one global transaction advisory lock
  none     no ordering at all (bench only): the ceiling

Goal: the kept design (horizon) does >= 0.9x the ceiling with 32 writers. The variants take
turns, round after round, and each figure is the median of its rounds.

    .venv/bin/python bench/bench_writes.py --postgres postgres://postgres@127.0.0.1:5432/test
        [--seconds 3] [--rounds 2] [--full]
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, start
from bench.pg import scratch_database
from hookline.accounts import bootstrap
from models import db

VARIANTS = ("horizon", "lock", "none")
WRITERS = (1, 8, 32)
GOAL = 0.9
MUTATION = "mutation($p:String!,$t:String!){createTodoList(input:{projectId:$p,title:$t}){id}}"


async def write_for(session: aiohttp.ClientSession, url: str, account: dict, until: float) -> int:
    """One writer: createTodoList in its own company's project, one after another."""
    headers = {"Authorization": f"Bearer {account['token']}"}
    variables = {"p": account["projectId"], "t": "bench"}
    done = 0
    while time.perf_counter() < until:
        async with session.post(
            url, json={"query": MUTATION, "variables": variables}, headers=headers
        ) as response:
            answer = await response.json()
        if answer.get("errors"):
            raise RuntimeError(answer["errors"])
        done += 1
    return done


async def rate(ports: list[int], accounts: list[dict], writers: int, seconds: float) -> float:
    connector = aiohttp.TCPConnector(limit=writers * 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        until = started + seconds
        done = await asyncio.gather(
            *(
                write_for(session, f"http://127.0.0.1:{ports[k % 2]}/graphql", accounts[k], until)
                for k in range(writers)
            )
        )
        return sum(done) / (time.perf_counter() - started)


async def measure(url: str, variant: str, accounts: list[dict], seconds: float) -> dict[int, float]:
    env = {"HOOKLINE_DATABASE_URL": url, "HOOKLINE_DB_POOL_SIZE": "20"}
    ports = [free_port(), free_port()]
    servers = [
        start(
            ["bench/api_variant.py", variant, str(port)],
            env,
            ready_url=f"http://127.0.0.1:{port}/healthz",
        )
        for port in ports
    ]
    try:
        await rate(ports, accounts, 2, 0.5)  # warm both processes
        return {w: await rate(ports, accounts, w, seconds) for w in WRITERS}
    finally:
        for server in servers:
            server.terminate()
            server.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="10 s per figure, 3 rounds")
    args = parser.parse_args()
    seconds, rounds = (10.0, 3) if args.full else (args.seconds, args.rounds)
    async with scratch_database(args.postgres, "bench_writes") as url:
        await db.migrate(url)
        await db.init(url)
        try:
            accounts = [
                await bootstrap(f"Tenant {k}", f"writer{k}@bench.test", "Work")
                for k in range(max(WRITERS))
            ]
        finally:
            await db.close()
        results: dict[str, dict[int, list[float]]] = {v: {w: [] for w in WRITERS} for v in VARIANTS}
        for round_ in range(rounds):
            order = VARIANTS[round_ % 3 :] + VARIANTS[: round_ % 3]
            for variant in order:
                for writers, value in (await measure(url, variant, accounts, seconds)).items():
                    results[variant][writers].append(value)
    median = {v: {w: statistics.median(r) for w, r in by.items()} for v, by in results.items()}
    print(f"PostgreSQL, 2 API processes, {rounds} rounds x {seconds:g} s; mutations/s (median)")
    print(f"{'writers':>8} " + " ".join(f"{v:>10}" for v in VARIANTS))
    for w in WRITERS:
        print(f"{w:>8} " + " ".join(f"{median[v][w]:>10,.0f}" for v in VARIANTS))
    for v in VARIANTS:
        spread = ", ".join(f"{x:,.0f}" for x in results[v][32])
        print(f"32 writers, {v:>7}: rounds {spread}")
    ceiling = median["none"][32]
    for variant in ("horizon", "lock"):
        ratio = median[variant][32] / ceiling
        print(f"{variant:>8} / ceiling at 32 writers: {ratio:.2f}x")
    ratio = median["horizon"][32] / ceiling
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(f"goal: kept design (horizon) >= {GOAL}x the ceiling: {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
