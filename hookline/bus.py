"""Announcements that events were committed (or memberships changed), to every process.

The bus carries wake-ups only; the event table is the source of truth. The in-process bus is
the default; with HOOKLINE_REDIS_URL one Redis pub/sub channel wakes every process. A wake-up
lost to a Redis outage costs latency, never an event: the tail also polls the table.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import redis.asyncio as aioredis

logger = logging.getLogger("hookline.bus")

CHANNEL = "hookline:announce"
EVENTS = "events"
MEMBERSHIP = "membership"

Listener = Callable[[str], None]


class LocalBus:
    """Announcements within one process."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _deliver(self, kind: str) -> None:
        for listener in self._listeners:
            listener(kind)

    def announce(self, kind: str = EVENTS) -> None:
        self._deliver(kind)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ping(self) -> bool:
        return True


class RedisBus(LocalBus):
    """Announcements to every process through one Redis channel (one connection per process)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._redis = aioredis.Redis.from_url(url, health_check_interval=5)
        self._reader: asyncio.Task[None] | None = None
        self._publishes: set[asyncio.Task[None]] = set()

    def announce(self, kind: str = EVENTS) -> None:
        self._deliver(kind)  # our own process hears it at once
        task = asyncio.get_running_loop().create_task(self._publish(kind))
        self._publishes.add(task)
        task.add_done_callback(self._publishes.discard)

    async def _publish(self, kind: str) -> None:
        try:
            await self._redis.publish(CHANNEL, kind)
        except Exception as exc:  # the poll will pick the events up
            logger.warning("redis publish failed: %s", exc)

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")

    async def _read(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    # Anything published while we were away is in the table: catch up now.
                    self._deliver(EVENTS)
                    self._deliver(MEMBERSHIP)
                    async for message in pubsub.listen():
                        data = message.get("data")
                        self._deliver(data.decode() if isinstance(data, bytes) else str(data))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("redis bus disconnected (%s); retrying in 1 s", exc)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        for task in list(self._publishes):
            task.cancel()
        await self._redis.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), 2))
        except Exception:
            return False
