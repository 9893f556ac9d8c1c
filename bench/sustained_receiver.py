"""Receivers for bench_sustained, in a process of their own: /fast answers at once, /slow after
DELAY seconds. Each event's title carries the wall-clock time its mutation was sent, so the
latency of a delivery is its arrival time minus that.

    python bench/sustained_receiver.py PORT DELAY   — GET /stats: latencies of /fast, counts
"""

import asyncio
import json
import sys
import time

from aiohttp import web

latencies: list[float] = []
counts = {"fast": 0, "slow": 0}


def sent_at(body: bytes) -> float:
    return float(json.loads(body)["currentValue"]["title"])


async def fast(request: web.Request) -> web.Response:
    body = await request.read()
    latencies.append(time.time() - sent_at(body))
    counts["fast"] += 1
    return web.Response(text="ok")


def slow(delay: float):  # type: ignore[no-untyped-def]
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(delay)
        counts["slow"] += 1
        return web.Response(text="ok")

    return handle


async def stats(request: web.Request) -> web.Response:
    return web.json_response({"latencies": latencies, **counts})


def main() -> None:
    port, delay = int(sys.argv[1]), float(sys.argv[2])
    app = web.Application()
    app.router.add_post("/fast", fast)
    app.router.add_post("/slow", slow(delay))
    app.router.add_get("/stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
