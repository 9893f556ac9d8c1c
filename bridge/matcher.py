"""The matcher: follow the `events` subscription from a stored cursor and enqueue deliveries.

It subscribes through the schema itself, as the system principal. For each batch of events
it writes one Delivery per (event, webhook) and advances its cursor in the same transaction,
so after a crash it resumes exactly where it committed: no event lost, none enqueued twice.
The message id is derived from (event, webhook), so it is the same on every retry.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from bridge import metrics, queue
from bridge.dispatcher import Dispatcher
from bridge.index import WebhookIndex
from bridge.leader import Leadership
from bridge.queue import Claimed
from bridge.render import EventData
from events.log import StreamCursor
from models.ids import new_id
from models.webhooks import Webhook

logger = logging.getLogger("hookline.matcher")

SUBSCRIPTION = """
subscription Bridge($after: String) {
  events(after: $after) {
    id event companyId projectId userId createdAt previousValue currentValue
    companyName projectName userName userEmail
  }
}
"""
BATCH = 500
CURSOR = "bridge"
# Raw, as the deliveries beside it: the matcher's transaction holds SQLite's one write lock, and
# building an ORM query took longer than running it.
_ADVANCE_SQLITE = "UPDATE stream_cursor SET event_id = ? WHERE name = ? AND event_id < ?"
_ADVANCE_PG = "UPDATE stream_cursor SET event_id = $1 WHERE name = $2 AND event_id < $3"


def message_id(event_id: int | str, webhook_id: str) -> str:
    return f"msg_{event_id}_{webhook_id}"


class Handoff:
    """Deliveries the matcher gives its own dispatcher directly, with what they need."""

    def __init__(self) -> None:
        self.claimed: list[Claimed] = []
        self.webhooks: dict[str, Webhook] = {}
        self.events: dict[int, EventData] = {}

    def add(self, delivery: Claimed, webhook: Webhook, event: EventData) -> None:
        self.claimed.append(delivery)
        self.webhooks[webhook.id] = webhook
        self.events[event.id] = event


class Matcher:
    def __init__(
        self,
        schema: Any,
        context_factory: Callable[[], Any],
        index: WebhookIndex,
        dispatcher: Dispatcher,
        *,
        leadership: Leadership | None = None,
        first_delay: float = 0.0,
        lease_seconds: float = 120.0,
        on_enqueued: Callable[[], None] = lambda: None,
    ) -> None:
        self.schema = schema
        self.context_factory = context_factory
        self.index = index
        self.dispatcher = dispatcher
        self.leadership = leadership or Leadership()
        self.first_delay = first_delay
        self.lease_seconds = lease_seconds
        self.on_enqueued = on_enqueued
        self.cursor = 0

    async def run(self) -> None:
        while True:
            try:
                async with self.leadership.lead() as lost:
                    await _until(self._follow(), lost)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("event stream broke; resuming from cursor %s", self.cursor)
                await asyncio.sleep(1)

    async def _follow(self) -> None:
        cursor, _ = await StreamCursor.get_or_create(name=CURSOR, defaults={"event_id": 0})
        self.cursor = cursor.event_id
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=BATCH * 4)
        reader = asyncio.create_task(self._read(inbox))
        try:
            while True:
                if inbox.empty():
                    # Wait for an event or for the reader to stop, whichever comes first: a
                    # stream that broke while idle must be noticed, not waited on for ever.
                    arrived = asyncio.ensure_future(inbox.get())
                    await asyncio.wait({arrived, reader}, return_when=asyncio.FIRST_COMPLETED)
                    if not arrived.done():
                        arrived.cancel()
                        reader.result()  # re-raise what stopped the reader
                        raise RuntimeError("event stream ended")
                    batch = [arrived.result()]
                else:
                    batch = [inbox.get_nowait()]
                while not inbox.empty() and len(batch) < BATCH:
                    batch.append(inbox.get_nowait())
                await self._enqueue(batch)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _read(self, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        stream = await self.schema.subscribe(
            SUBSCRIPTION,
            variable_values={"after": str(self.cursor)},
            context_value=self.context_factory(),
        )
        async with contextlib.aclosing(stream) as results:
            async for result in results:
                if result.errors:
                    raise RuntimeError(f"event stream error: {result.errors[0].message}")
                await inbox.put(result.data["events"])
        raise RuntimeError("event stream ended")

    async def _enqueue(self, events: list[dict[str, Any]]) -> None:
        now = datetime.now(UTC)
        due = now + timedelta(seconds=self.first_delay)
        lease_until = now + timedelta(seconds=self.lease_seconds)
        deliveries: list[tuple[Claimed, datetime | None]] = []
        handoff = Handoff()
        await self.index.refresh()
        for item in events:
            event = EventData.from_stream(item)
            for webhook in self.index.match(
                event=event.type,
                company_id=event.company_id,
                project_id=event.project_id,
                created_at=event.created_at,
                previous=event.previous_value,
                current=event.current_value,
            ):
                delivery = Claimed(
                    id=new_id(),
                    webhook_id=webhook.id,
                    event_id=event.id,
                    event=event.type,
                    message_id=message_id(event.id, webhook.id),
                    payload=None,
                    attempt_count=0,
                )
                claimed_until = None
                if not self.first_delay and self.dispatcher.can_take(webhook.id):
                    # Claimed from birth and handed straight to our dispatcher: the first
                    # attempt needs no claim query. The lease covers a crash before it.
                    claimed_until = lease_until
                    handoff.add(delivery, webhook, event)
                deliveries.append((delivery, claimed_until))
        last = int(events[-1]["id"])
        async with in_transaction() as connection:
            if deliveries:
                await queue.insert_new(connection, deliveries, due=due, now=now)
            # Forward only: should two leaders overlap for a moment, neither moves it back.
            postgres = connection.capabilities.dialect == "postgres"
            await connection.execute_query(
                _ADVANCE_PG if postgres else _ADVANCE_SQLITE, [last, CURSOR, last]
            )
        self.cursor = last
        metrics.MATCHED.inc(len(events))
        if handoff.claimed:
            self.dispatcher.submit(handoff.claimed, handoff.webhooks, handoff.events)
        if len(deliveries) > len(handoff.claimed):
            self.on_enqueued()


async def _until(work: Coroutine[Any, Any, None], lost: asyncio.Event) -> None:
    """Run `work` until it ends or `lost` is set, whichever comes first."""
    task = asyncio.create_task(work)
    watcher = asyncio.create_task(lost.wait())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, watcher):
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
    if task.done() and not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]
