"""Changes to webhooks, access and tokens made where this process could not hear them.

Every such change is counted in the database (models.webhooks.bump_routing_version) and
announced on the bus. A process sharing the database may still miss the announcement: the CLI
revokes a token next to an embedded server with no bus between them, or Redis loses a message.
StoredChanges compares the stored count every poll interval (and, where other processes write,
the tail asks it again after each batch of events, before the batch reaches subscribers) and on
a change tells this process's listeners what the bus would have: any of them may have changed.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from events.announcement import Announcement

logger = logging.getLogger("hookline.watch")

# What a changed count may stand for: each listener reads its part again.
STORED_KINDS = (Announcement.ACCESS, Announcement.WEBHOOKS, Announcement.TOKENS)


class StoredChanges:
    def __init__(
        self,
        read_version: Callable[[], Awaitable[int]],
        hear: Callable[[Announcement], None],
        interval: float,
    ) -> None:
        """read_version: the stored count; hear: deliver to this process's listeners only."""
        self._read_version = read_version
        self._hear = hear
        self.interval = interval
        self._seen: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        """Whether the count moved since the last look (the first look only takes it)."""
        version = await self._read_version()
        if self._seen is None or version == self._seen:
            self._seen = version
            return False
        self._seen = version
        for kind in STORED_KINDS:
            self._hear(kind)
        return True

    async def start(self) -> None:
        await self.check()  # the baseline: what was committed before we started is read fresh
        self._task = asyncio.create_task(self._run(), name="stored-changes")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: the next round tries again
                logger.warning("could not read the stored routing version: %s", exc)
