"""Leadership for the matcher: exactly one process matches events at a time.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own;
when its process dies the connection closes, the lock is released, and a waiting process
takes over within `retry_interval`. SQLite has one process, which always leads.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg

logger = logging.getLogger("hookline.leader")

# Any constant shared by all processes; "matc" in ASCII.
MATCHER_LOCK = 0x6D617463


class Leadership:
    """Always the leader: the embedded single-process deployment."""

    is_leader = False

    @contextlib.asynccontextmanager
    async def lead(self) -> AsyncIterator[asyncio.Event]:
        """Wait until leading; the event is set if leadership is lost."""
        self.is_leader = True
        try:
            yield asyncio.Event()
        finally:
            self.is_leader = False


class PgLeadership(Leadership):
    def __init__(self, dsn: str, retry_interval: float = 1.0) -> None:
        self.dsn = dsn
        self.retry_interval = retry_interval

    @contextlib.asynccontextmanager
    async def lead(self) -> AsyncIterator[asyncio.Event]:
        connection = await self._acquire()
        lost = asyncio.Event()
        watcher = asyncio.create_task(self._watch(connection, lost))
        self.is_leader = True
        logger.info("this process now leads the matcher")
        try:
            yield lost
        finally:
            self.is_leader = False
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            with contextlib.suppress(Exception):
                await connection.close()  # releases the lock

    async def _acquire(self) -> asyncpg.Connection:
        while True:
            try:
                connection = await asyncpg.connect(self.dsn)
                if await connection.fetchval("SELECT pg_try_advisory_lock($1)", MATCHER_LOCK):
                    return connection
                await connection.close()
            except (OSError, asyncpg.PostgresError) as exc:
                logger.warning("matcher lock unavailable (%s)", exc)
            await asyncio.sleep(self.retry_interval)

    async def _watch(self, connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Notice a lost lock connection, so the matcher stops instead of running twice."""
        while True:
            await asyncio.sleep(self.retry_interval)
            try:
                await asyncio.wait_for(connection.fetchval("SELECT 1"), self.retry_interval * 5)
            except Exception:
                logger.error("lost the matcher lock connection; stepping down")
                lost.set()
                return
