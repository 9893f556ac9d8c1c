"""Rates and quotas: the one place that holds each limit's numbers and counts against them.

Rates (so many per minute) use the `limits` library's sliding-window counters: in memory in
the embedded single process, in Redis when HOOKLINE_REDIS_URL is set, so every process counts
against the same numbers. Quotas (sockets and subscriptions held open at once) are counted in
each process: what they protect (memory, file descriptors) is each process's own, and a count
kept in Redis would outlive a process that died holding it.
"""

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from hookline.settings import Settings
from resolvers.context import Quota, Rate
from schema.errors import RateLimited

logger = logging.getLogger("hookline.ratelimit")

# What each limit counts, for the messages a refused client reads.
RATE_NAMES = {
    Rate.REQUESTS: "requests per token",
    Rate.ANONYMOUS: "requests without a valid token per client address",
    Rate.TEST_WEBHOOK: "test sends and redeliveries per webhook",
    Rate.TEST_WEBHOOK_PER_TOKEN: "test sends and redeliveries per token",
    Rate.CONNECTIONS: "new WebSocket connections per token",
}
QUOTA_NAMES = {
    Quota.CONNECTIONS: "open WebSocket connections per token",
    Quota.SUBSCRIPTIONS: "open subscriptions per token",
    Quota.PENDING_CONNECTIONS: "WebSocket connections awaiting connection_init per address",
    Quota.WAITING_REQUESTS: "requests per token waiting for their turn",
}
STORAGE_WARNING_INTERVAL = 60.0


@dataclass
class _Turn:
    """One operation's place among its token's: held, or lent while it waits on another host."""

    semaphore: asyncio.Semaphore
    held: bool = False
    away: int = 0  # the operation's tasks waiting elsewhere (parallel fields share one turn)


# The turn the running operation holds; its resolvers' tasks inherit it.
_current_turn: ContextVar[_Turn | None] = ContextVar("hookline_turn", default=None)


class Limits:
    """Implements resolvers.context.Limiter. Built once in the app's lifespan (the memory
    storage needs the running loop); `close` releases the Redis connections."""

    def __init__(
        self,
        rates: Mapping[Rate, Sequence[RateLimitItem]],
        quotas: Mapping[Quota, int],
        storage: Storage,
        *,
        prefix: str = "hookline",
        pool: ConnectionPool | None = None,
        concurrent_operations: int = 16,
    ) -> None:
        self._rates = rates
        self._quotas = quotas
        self._strategy = SlidingWindowCounterRateLimiter(storage)
        self._prefix = prefix
        self._pool = pool
        self._held: Counter[tuple[Quota, str]] = Counter()
        self._concurrent = concurrent_operations
        self._turns: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        self._warned_at = -math.inf

    @classmethod
    def from_settings(cls, settings: Settings, *, prefix: str = "hookline") -> "Limits":
        rates = {rate: settings.rates(rate.value) for rate in Rate}
        quotas = {
            Quota.CONNECTIONS: settings.max_connections_per_token,
            Quota.SUBSCRIPTIONS: settings.max_subscriptions_per_token,
            Quota.PENDING_CONNECTIONS: settings.max_pending_connections_per_address,
            Quota.WAITING_REQUESTS: settings.max_waiting_requests_per_token,
        }
        turns = settings.max_concurrent_operations_per_token
        if settings.redis_url is None:
            return cls(rates, quotas, MemoryStorage(), prefix=prefix, concurrent_operations=turns)
        pool = ConnectionPool.from_url(settings.redis_url)
        storage = RedisStorage(
            "async+" + settings.redis_url,
            implementation="redispy",
            key_prefix=prefix,
            wrap_exceptions=True,
            connection_pool=pool,
        )
        return cls(rates, quotas, storage, prefix=prefix, pool=pool, concurrent_operations=turns)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def hit(self, rate: Rate, key: str) -> None:
        for item in self._rates[rate]:
            try:
                allowed = await self._strategy.hit(item, self._prefix, rate.value, key)
            except StorageError as exc:
                # Redis is down: serving without limits beats refusing every request.
                self._warn(exc)
                return
            if not allowed:
                raise RateLimited(
                    f"Rate limit exceeded: {item.amount} {RATE_NAMES[rate]} per {_window(item)}",
                    retry_after=await self._retry_after(item, rate, key),
                    limit=str(item),
                )

    async def _retry_after(self, item: RateLimitItem, rate: Rate, key: str) -> int:
        try:
            stats = await self._strategy.get_window_stats(item, self._prefix, rate.value, key)
        except StorageError:
            return item.get_expiry()
        return max(1, math.ceil(stats.reset_time - time.time()))

    def occupy(self, quota: Quota, key: str) -> Callable[[], None]:
        held = (quota, key)
        limit = self._quotas[quota]
        if self._held[held] >= limit:
            raise RateLimited(f"Quota reached: at most {limit} {QUOTA_NAMES[quota]}", limit=limit)
        self._held[held] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._held[held] -= 1
                if self._held[held] <= 0:
                    del self._held[held]

        return release

    def may_wait(self, key: str) -> None:
        """A request that would wait behind so many of its token's refuses instead: a burst
        is bounded at the door, before its requests are read, parsed or held in memory."""
        limit = self._quotas[Quota.WAITING_REQUESTS]
        entry = self._turns.get(key)
        if entry is not None and entry[1][0] >= self._concurrent + limit:
            raise RateLimited(
                f"Quota reached: at most {limit} {QUOTA_NAMES[Quota.WAITING_REQUESTS]}",
                retry_after=1,
                limit=limit,
            )

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """One token's operations run at most so many at once; the rest queue here, so a
        burst from one token waits behind itself instead of in front of everyone else."""
        semaphore, users = self._turns.get(key) or self._turns.setdefault(
            key, (asyncio.Semaphore(self._concurrent), [0])
        )
        users[0] += 1
        turn = _Turn(semaphore)
        try:
            await semaphore.acquire()
            turn.held = True
            token = _current_turn.set(turn)
            try:
                yield
            finally:
                _current_turn.reset(token)
        finally:
            if turn.held:
                semaphore.release()
            users[0] -= 1
            if not users[0]:
                del self._turns[key]

    @contextlib.asynccontextmanager
    async def aside(self) -> AsyncIterator[None]:
        """Lend the running operation's turn to its token's next while this waits on another
        host (a test send to an endpoint that hangs must not hold the token's other
        operations); take it back, queueing like any other, before going on."""
        turn = _current_turn.get()
        if turn is None or not (turn.held or turn.away):
            yield
            return
        turn.away += 1
        if turn.away == 1:
            turn.held = False
            turn.semaphore.release()
        try:
            yield
        finally:
            turn.away -= 1
            if turn.away == 0:
                await turn.semaphore.acquire()
                turn.held = True

    def _warn(self, exc: StorageError) -> None:
        now = time.monotonic()
        if now - self._warned_at >= STORAGE_WARNING_INTERVAL:
            self._warned_at = now
            logger.warning("rate limits not enforced, their storage failed: %s", exc)


def _window(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"
