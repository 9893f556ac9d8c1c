"""Announcements (events committed, webhooks or access changed) to every process.

The bus carries wake-ups only; the database is the source of truth. The in-process bus is
the default; with HOOKLINE_REDIS_URL one Redis pub/sub channel wakes every process. A wake-up
lost to a Redis outage costs latency, never an event: the tail also polls the table.
"""

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from events.announcement import Announcement

logger = logging.getLogger("hookline.bus")

CHANNEL = "hookline:announce"
CLIENT_NAME = "hookline-bus"
PUBLISH_ATTEMPTS = 3
RETRY_BASE = 0.05
PUBLISH_DRAIN = 2.0  # seconds stop() waits for announcements still being published

Listener = Callable[[Announcement], None]


class LocalBus:
    """Announcements within one process."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _deliver(self, kind: Announcement) -> None:
        for listener in self._listeners:
            listener(kind)

    def announce(self, kind: Announcement = Announcement.EVENTS) -> None:
        self._deliver(kind)

    def hear(self, kind: Announcement) -> None:
        """Tell this process's listeners only: a change noticed in the database, which every
        other process notices there too (events.watch)."""
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
        # Named, so an operator (or a test) can tell this process's connections apart.
        self._redis = aioredis.Redis.from_url(
            url, health_check_interval=5, client_name=f"{CLIENT_NAME}:{os.getpid()}"
        )
        self._reader: asyncio.Task[None] | None = None
        self._publishes: set[asyncio.Task[None]] = set()

    def announce(self, kind: Announcement = Announcement.EVENTS) -> None:
        self._deliver(kind)  # our own process hears it at once
        task = asyncio.get_running_loop().create_task(self.publish(kind))
        self._publishes.add(task)
        task.add_done_callback(self._publishes.discard)

    async def publish(self, kind: Announcement) -> None:
        """Tell every process over Redis, and wait for it (announce does it in the background;
        a command-line process that exits at once awaits this)."""
        for _ in range(PUBLISH_ATTEMPTS):
            try:
                await self._redis.publish(CHANNEL, kind.value)
                return
            except RedisConnectionError as exc:
                # A pooled connection that Redis dropped fails once (redis-py does not retry
                # it); the next attempt reconnects.
                error: Exception = exc
            except Exception as exc:
                error = exc
                break
        logger.warning("redis publish failed: %s", error)  # the poll will pick the events up

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")

    async def _read(self) -> None:
        failures = 0
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            # (Re)subscribed. What was published meanwhile is in the table:
                            # catch up now rather than at the next poll.
                            failures = 0
                            for kind in Announcement:
                                self._deliver(kind)
                        elif message["type"] == "message":
                            data = message["data"]
                            kind = Announcement.parse(
                                data.decode() if isinstance(data, bytes) else str(data)
                            )
                            if kind is not None:
                                self._deliver(kind)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # At once the first time (a dropped connection), then backing off to 1 s.
                delay = min(RETRY_BASE * 2**failures, 1.0) if failures else 0.0
                failures += 1
                logger.warning("redis bus disconnected (%s); retrying in %.2f s", exc, delay)
                await asyncio.sleep(delay)

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._publishes:  # what was announced before stopping still goes out (the CLI's)
            await asyncio.wait(list(self._publishes), timeout=PUBLISH_DRAIN)
        for task in list(self._publishes):
            task.cancel()
        await self._redis.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), 2))
        except Exception:
            return False
