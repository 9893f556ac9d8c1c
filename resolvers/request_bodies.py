"""The bodies attempts sent, rebuilt on demand by the code that built them (bridge.render).

A body is its event (or a stored payload) with the webhook row it carried; attempts keep the
row's version and the body's SHA-256, so a rebuilt body is shown only when it is byte for byte
the one sent. Storing every body would cost a few KiB per attempt on the delivery hot path.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bridge import queue
from bridge.render import EventData, rebuild_body
from models.webhooks import Delivery, DeliveryAttempt, SentWebhookRow

K = TypeVar("K")
V = TypeVar("V")


class RequestBodies:
    """One per operation: each event and webhook row is loaded once, however many attempts
    (resolved concurrently) ask for it."""

    def __init__(self) -> None:
        self._events: dict[int, asyncio.Future[EventData | None]] = {}
        self._rows: dict[str, asyncio.Future[str | None]] = {}

    def __call__(
        self, delivery: Delivery, attempt: DeliveryAttempt
    ) -> Callable[[], Awaitable[str | None]]:
        return lambda: self.body(delivery, attempt)

    async def body(self, delivery: Delivery, attempt: DeliveryAttempt) -> str | None:
        if attempt.request_body_sha256 is None:
            return None
        event = row = None
        if delivery.payload is None and delivery.event_id is not None:
            event = await self._once(self._events, delivery.event_id, self._load_event)
            if attempt.webhook_row_sha256 is not None:
                row = await self._once(self._rows, attempt.webhook_row_sha256, self._load_row)
        body = rebuild_body(delivery.payload, event, row, attempt.request_body_sha256)
        return body.decode() if body is not None else None

    @staticmethod
    async def _once(
        cache: dict[K, asyncio.Future[V]], key: K, load: Callable[[K], Awaitable[V]]
    ) -> V:
        found = cache.get(key)
        if found is None:
            found = cache[key] = asyncio.ensure_future(load(key))
        return await found

    @staticmethod
    async def _load_event(event_id: int) -> EventData | None:
        return (await queue.load_events([event_id])).get(event_id)

    @staticmethod
    async def _load_row(digest: str) -> str | None:
        found = await SentWebhookRow.get_or_none(sha256=digest)
        return found.row if found is not None else None
