"""One reader of the event table per process, fanned out to bounded per-subscriber queues.

`follow(after)` gives a subscriber every event with id > after: the stored backlog first, then
live events, with no gap and no duplicate at the hand-over. It registers its queue *before*
reading the backlog and skips ids it has already yielded. A subscriber whose queue overflows
is cut off with SubscriberTooSlow; it may resume with `after` = the last id it saw. When access
may have changed (a membership, a revoked token) every live subscriber is also handed RECHECK,
so it checks its rights at once rather than at its next event: a revoked token's stream ends
even while its projects are quiet.

Both the tail and a replay read only below the log's horizon (events.log.horizon): on
PostgreSQL an event committed above it waits, unread, until every older transaction has ended;
the tail looks again shortly rather than waiting for the next announcement, since the
transaction it waits for may announce nothing.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from prometheus_client import Gauge

from events.announcement import Announcement
from events.log import Event, horizon, latest_id, purged_through, readable
from schema.errors import CursorExpired, SubscriberTooSlow

logger = logging.getLogger("hookline.tail")

PAGE = 500
# While committed events wait above the horizon: look again after this, doubling up to the max.
HELD_BACK_RETRY = 0.002
MAX_HELD_BACK_RETRY = 0.05

SUBSCRIBERS = Gauge(
    "hookline_event_subscribers",
    "Streams following the events in this process: GraphQL subscriptions and the bridge",
)


class Recheck:
    """Not an event: access may have changed, check the subscriber's rights now."""


RECHECK = Recheck()


class _Subscriber:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Event | Recheck | None] = asyncio.Queue(maxsize=size)
        self.overflowed = False

    def nudge(self) -> None:
        """Hand over RECHECK, unless the queue is full: then the next event comes first, and
        the subscriber, seeing access changed (the epoch), checks before that one."""
        if not self.overflowed and not self.queue.full():
            self.queue.put_nowait(RECHECK)

    def offer(self, event: Event) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            # Wake the consumer so it notices at once; drop what it had.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)

    def reset(self) -> None:
        if self.overflowed:
            self.overflowed = False
            while not self.queue.empty():
                self.queue.get_nowait()


class EventTail:
    def __init__(
        self,
        queue_size: int = 1000,
        poll_interval: float = 1.0,
        page_size: int = PAGE,
        check_stored_changes: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """check_stored_changes: called after each batch when other processes may change
        access unheard (events.watch.StoredChanges.check, which announces what it finds to
        this process, the tail included, before the batch reaches any subscriber)."""
        # Read when a subscriber starts following, so tests and operators may tune a live tail.
        self.queue_size = queue_size
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.access_epoch = 0
        self._check_stored_changes = check_stored_changes
        self._subscribers: set[_Subscriber] = set()
        self._wake = asyncio.Event()
        self._last_id: int | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def position(self) -> int:
        """The id of the last event handed to the subscribers."""
        return self._last_id or 0

    def on_announce(self, kind: Announcement) -> None:
        if kind in (Announcement.ACCESS, Announcement.TOKENS):
            self.access_epoch += 1
            for subscriber in self._subscribers:
                subscriber.nudge()
        elif kind is Announcement.EVENTS:
            self._wake.set()

    async def start(self) -> None:
        self._last_id = await latest_id()
        self._task = asyncio.create_task(self._run(), name="event-tail")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        wait, retry = self.poll_interval, HELD_BACK_RETRY
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()
            try:
                held_back = await self._read_new()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("event tail read failed; retrying")
                await asyncio.sleep(self.poll_interval)
                held_back = False
            if held_back:
                wait, retry = retry, min(retry * 2, MAX_HELD_BACK_RETRY)
            else:
                wait, retry = self.poll_interval, HELD_BACK_RETRY

    async def _read_new(self) -> bool:
        """Hand out every event below the horizon; True when committed ones wait above it."""
        while True:
            below = await horizon()
            # One row past the horizon tells whether anything committed waits behind it.
            rows = await readable(self._last_id or 0, None).limit(self.page_size + 1)
            batch = [e for e in rows[: self.page_size] if below is None or e.id < below]
            held_back = below is not None and any(e.id >= below for e in rows)
            if not batch:
                return held_back
            self._last_id = batch[-1].id
            if self._check_stored_changes is not None:
                # Read after the events: a change committed before any of them is seen here,
                # and the subscribers look their access up again before they filter.
                await self._check_stored_changes()
            for subscriber in list(self._subscribers):
                for event in batch:
                    subscriber.offer(event)
            if len(batch) < self.page_size:
                return held_back

    @contextlib.asynccontextmanager
    async def follow(self, after: int) -> AsyncIterator[AsyncIterator[Event | Recheck]]:
        subscriber = _Subscriber(self.queue_size)
        self._subscribers.add(subscriber)
        try:
            yield self._stream(subscriber, after)
        finally:
            self._subscribers.discard(subscriber)

    async def _stream(self, subscriber: _Subscriber, after: int) -> AsyncIterator[Event | Recheck]:
        seen = after
        replaying = True
        while replaying:  # the backlog, page by page
            page = await readable(seen, await horizon()).limit(self.page_size)
            purged = await purged_through()  # after the read: a purge it raced is seen
            if seen < purged:
                raise CursorExpired(seen, purged)
            for event in page:
                yield event
                seen = event.id
            if len(page) < self.page_size:
                # Live events that overflowed the queue during a long replay are in the table.
                replaying = subscriber.overflowed
                subscriber.reset()
        while True:  # live
            event = await subscriber.queue.get()
            if event is None:
                raise SubscriberTooSlow(
                    f"subscriber fell more than {self.queue_size} events behind; "
                    f'resubscribe with after: "{seen}"'
                )
            if isinstance(event, Recheck):
                yield event
            elif event.id > seen:
                yield event
                seen = event.id
