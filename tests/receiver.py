"""A real HTTP receiver on 127.0.0.1 that records what it is sent and answers as told."""

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Each answer is (status, headers, delay seconds); the default when none are queued.
        self.answers: deque[tuple[int, dict[str, str], float]] = deque()
        self.default: tuple[int, dict[str, str], float] = (200, {}, 0.0)
        # The response body of every answer, when set (bytes exactly as sent).
        self.body: bytes | None = None
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def answer(
        self, status: int, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        self.answers.append((status, headers or {}, delay))

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        status, headers, delay = self.answers.popleft() if self.answers else self.default
        async with self._arrived:
            self.requests.append(Received(dict(request.headers), body))
            self._arrived.notify_all()
        if delay:
            await asyncio.sleep(delay)
        if self.body is not None:
            return web.Response(status=status, headers=headers, body=self.body)
        return web.Response(status=status, headers=headers, text="ok" if status < 300 else "nope")

    async def start(self) -> "Receiver":
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """The first `count` requests, waiting up to `within` seconds for them."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.requests) >= count), within
            )
        return self.requests[:count]

    async def wait_until(
        self, done: Callable[[list[Received]], bool], within: float = 30.0
    ) -> list[Received]:
        """Every request so far, once `done` holds of them, waiting up to `within` seconds."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: done(self.requests)), within)
        return list(self.requests)

    def events(self) -> list[str]:
        return [r.json["event"] for r in self.requests]
