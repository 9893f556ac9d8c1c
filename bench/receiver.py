"""A fast webhook receiver for benchmarks: answers 200 and counts, in its own process.

Run: python bench/receiver.py PORT  — prints "ready" when listening; GET /count returns the
number of POSTs received (and the webhook-ids seen, de-duplicated, with ?ids=1).
"""

import sys

from aiohttp import web

received = 0
ids: set[str] = set()


async def hook(request: web.Request) -> web.Response:
    global received
    await request.read()
    received += 1
    ids.add(request.headers.get("webhook-id", ""))
    return web.Response(text="ok")


async def count(request: web.Request) -> web.Response:
    return web.json_response({"received": received, "unique": len(ids)})


def main() -> None:
    app = web.Application()
    app.router.add_post("/hook", hook)
    app.router.add_get("/count", count)
    print("ready", flush=True)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
