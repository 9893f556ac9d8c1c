"""The dispatcher: claim due deliveries, POST them, record the outcomes — continuously.

Requests flow without waiting for a batch's slowest: each claimed delivery is its own task,
and finished attempts are written in batches by one recorder. A webhook may hold at most
`per_endpoint_limit` requests, and a webhook at its limit is not claimed for, so a hanging
endpoint only slows itself.
"""

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import aiohttp

from bridge import metrics, queue
from bridge.config import BridgeConfig
from bridge.http import HttpResult, post
from bridge.outcomes import Attempted
from bridge.recorder import Recorder
from bridge.render import EventData, SentRequest, SentRow, body_of, build_request, sha256
from models.webhooks import Delivery, Webhook

logger = logging.getLogger("hookline.dispatcher")

Clock = Callable[[], datetime]

# A claim that skips busy webhooks scans past their whole backlog. After a claim that found
# nothing, or fewer than it asked for (what is left due then belongs to webhooks at their quota),
# the next such scan waits at least FRUITLESS_RESCAN, and RESCAN_FACTOR times as long as that
# claim took: these scans take at most a tenth of the database's time, and other webhooks' due
# retries wait at most that long behind a big backlog of a slow one (see _idle_wait). While no
# webhook is busy, claims do not wait for it.
FRUITLESS_RESCAN = 0.05
RESCAN_FACTOR = 10.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: BridgeConfig,
        *,
        on_webhooks_disabled: Callable[[list[str]], None] = lambda ids: None,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.session = session
        self.config = config
        self.clock = clock
        self.rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._in_flight: Counter[str] = Counter()  # claimed here, by webhook
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._sending = 0
        self._abandoned: list[str] = []
        self._timeout = aiohttp.ClientTimeout(total=config.delivery_timeout)
        self._running = asyncio.Event()  # set when run() is not running
        self._running.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.recorder = Recorder(
            config, clock=clock, rng=self.rng, on_webhooks_disabled=on_webhooks_disabled
        )
        self._stopping = False
        self._rescan_at = float("-inf")  # no claim past busy webhooks before this (monotonic)

    @property
    def idle(self) -> bool:
        """No attempt is running here and every finished one has been handed to the database
        (its write may still be in flight: read the delivery's status to know it is done)."""
        return not self._tasks and not self.recorder.waiting

    def wake(self) -> None:
        """New deliveries may be due (called after the matcher commits, or on announcements)."""
        self._wake.set()

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        self._running.clear()
        recorder = asyncio.create_task(
            self.recorder.run(lambda: self._stopping), name="delivery-recorder"
        )
        try:
            while not self._stopping:
                try:
                    claimed = await self._claim()
                except Exception:
                    logger.exception("claiming deliveries failed")
                    claimed = 0
                if not claimed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._idle_wait())
                    self._wake.clear()
        finally:
            self._stopping = True
            await recorder  # it finishes its current write and returns
            self._running.set()

    def _idle_wait(self) -> float:
        """How long to wait for a wake before claiming again: the poll interval, or only until
        the scan past busy webhooks may run again. Other webhooks' due deliveries wait for
        that scan; waiting for the poll instead would drain their backlog a quota per poll."""
        gate = self._rescan_at - time.monotonic()
        if gate > 0 and self._busy_webhooks():
            return min(self.config.poll_interval, gate)
        return self.config.poll_interval

    def _busy_webhooks(self) -> list[str]:
        """Webhooks with half their backlog claimed here: not claimed for until it drains
        below that (see _finished), so a busy endpoint costs no queries."""
        return [w for w, n in self._in_flight.items() if n >= self._backlog_limit // 2]

    @property
    def _backlog_limit(self) -> int:
        """Claimed deliveries a webhook may have here (sending or waiting its turn)."""
        return self.config.per_endpoint_limit * 8

    async def _claim(self) -> int:
        room = self.config.max_in_flight - self._sending
        if room <= 0:
            return 0
        busy = self._busy_webhooks()
        started = time.monotonic()
        if busy and started < self._rescan_at:
            return 0
        now = self.clock()
        batch = await queue.claim(
            now=now,
            lease_until=now + timedelta(seconds=self.config.lease),
            limit=min(room, self.config.claim_batch),
            per_webhook=self._backlog_limit // 2,
            busy=busy,
        )
        if len(batch) < min(room, self.config.claim_batch):
            # Measured: a scan straight after each such claim, finding nothing, cost a single
            # webhook's drain 12% of its CPU per delivery (bench/bench_throughput.py).
            took = time.monotonic() - started
            self._rescan_at = started + took + max(FRUITLESS_RESCAN, RESCAN_FACTOR * took)
        if not batch:
            return 0
        webhooks = {w.id: w for w in await Webhook.filter(id__in={c.webhook_id for c in batch})}
        event_ids = {c.event_id for c in batch if c.event_id is not None}
        self.submit(batch, webhooks, await queue.load_events(event_ids))
        return len(batch)

    def can_take(self, webhook_id: str) -> bool:
        """Room for one more delivery of this webhook, handed over without a claim query."""
        return (
            not self._stopping
            and self._sending < self.config.max_in_flight
            and self._in_flight[webhook_id] < self._backlog_limit // 2
        )

    def submit(
        self,
        batch: list[queue.Claimed],
        webhooks: dict[str, Webhook],
        events: dict[int, EventData],
    ) -> None:
        """Start attempts of deliveries this process has claimed."""
        if self._stopping:  # too late to start: back to the queue at shutdown
            self._abandoned.extend(c.id for c in batch)
            return
        rows = {w.id: SentRow.of(w) for w in webhooks.values()}
        for claimed in batch:
            webhook = webhooks.get(claimed.webhook_id)
            self._in_flight[claimed.webhook_id] += 1
            task = asyncio.create_task(
                self._attempt(
                    claimed, webhook, rows.get(claimed.webhook_id), events.get(claimed.event_id)
                )  # type: ignore[arg-type]
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _attempt(
        self,
        claimed: queue.Claimed,
        webhook: Webhook | None,
        row: SentRow | None,
        event: EventData | None,
    ) -> None:
        try:
            number = claimed.attempt_count + 1
            if webhook is None or not webhook.enabled:
                # Nothing to send to any more: the delivery ends FAILED, health untouched.
                result = _not_sent(self.clock(), "webhook disabled or deleted")
                attempted = Attempted(claimed.id, claimed.webhook_id, number, result, one_shot=True)
            elif claimed.payload is None and event is None:
                # Recovered after its event was purged: nothing left to render.
                result = _not_sent(self.clock(), "its event is past the event retention")
                attempted = Attempted(claimed.id, claimed.webhook_id, number, result, one_shot=True)
            else:
                async with self._endpoint_slot(claimed.webhook_id):
                    result, sent = await self._send(webhook, row, claimed, event)
                attempted = Attempted(claimed.id, claimed.webhook_id, number, result, request=sent)
            self.recorder.add(attempted, event)
        except asyncio.CancelledError:
            self._abandoned.append(claimed.id)  # back to the queue at shutdown
            raise
        except Exception:
            logger.exception("delivery %s failed unexpectedly; its lease will expire", claimed.id)
        finally:
            self._finished(claimed.webhook_id)

    def _finished(self, webhook_id: str) -> None:
        """One request of this webhook is over (sent, or never sent)."""
        left = self._in_flight[webhook_id] = self._in_flight[webhook_id] - 1
        if left <= 0:
            del self._in_flight[webhook_id]
            self._semaphores.pop(webhook_id, None)
        if left == self._backlog_limit // 2 - 1 or self._sending == self.config.max_in_flight - 1:
            self._wake.set()  # this webhook (or the process) has room again

    def _endpoint_slot(self, webhook_id: str) -> "_Slot":
        """A place among the webhook's requests in flight, which every request to it takes:
        deliveries, and sends on demand (tests, health checks, redeliveries) alike."""
        return _Slot(self, self._endpoint(webhook_id))

    def _endpoint(self, webhook_id: str) -> asyncio.Semaphore:
        """At most per_endpoint_limit requests to one webhook at a time."""
        semaphore = self._semaphores.get(webhook_id)
        if semaphore is None:
            semaphore = self._semaphores[webhook_id] = asyncio.Semaphore(
                self.config.per_endpoint_limit
            )
        return semaphore

    async def _send(
        self,
        webhook: Webhook,
        row: SentRow | None,
        claimed: queue.Claimed,
        event: EventData | None,
    ) -> tuple[HttpResult, SentRequest]:
        now = self.clock()
        if claimed.payload is None:  # an event body carries the webhook's row
            row = row or SentRow.of(webhook)
            body = body_of(row.json, event, None)
        else:
            row, body = None, body_of({}, None, claimed.payload)
        request = build_request(webhook, claimed.message_id, claimed.event, body, now)
        result = await post(self.session, request.url, request.body, request.headers, self._timeout)
        metrics.ATTEMPT_SECONDS.observe(result.duration_ms / 1000)
        return result, SentRequest(request.headers, sha256(body), row)

    # -- one-off sends (health checks, tests, redeliveries) ---------------------------------

    async def send_now(self, delivery_id: str) -> None:
        """One attempt of one delivery, recorded before returning; no retries follow."""
        delivery = await Delivery.get(id=delivery_id)
        webhook = await Webhook.get(id=delivery.webhook_id)
        event = None
        if delivery.event_id is not None:
            event = (await queue.load_events([delivery.event_id]))[delivery.event_id]
        claimed = queue.Claimed.of(delivery)
        # Counted like a claimed delivery, so a webhook busy with sends on demand is not
        # claimed for either, and its limit holds whichever kind of request comes first.
        self._in_flight[webhook.id] += 1
        try:
            async with self._endpoint_slot(webhook.id):
                result, sent = await self._send(webhook, None, claimed, event)
        finally:
            self._finished(webhook.id)
        attempted = Attempted(
            delivery.id, webhook.id, delivery.attempt_count + 1, result, True, request=sent
        )
        await self.recorder.record([(attempted, event)])

    # -- shutdown ---------------------------------------------------------------------------

    async def stop(self, grace: float = 10.0) -> None:
        """Finish in-flight attempts (up to `grace` seconds) and record them; attempts still
        running or waiting then are cancelled and their deliveries returned to the queue."""
        self._stopping = True
        self._wake.set()
        await self._running.wait()  # no claim is in progress, none will start
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        await self.recorder.flush()
        if self.recorder.waiting:
            logger.error(
                "%d attempts could not be recorded; their deliveries will be sent again after "
                "their lease",
                self.recorder.waiting,
            )
        if self._abandoned:
            await queue.release(self._abandoned)
            logger.info("returned %d unfinished deliveries to the queue", len(self._abandoned))


class _Slot:
    """Dispatcher._endpoint_slot: a class rather than a generator-based context manager, which
    cost several times as much on every delivery."""

    __slots__ = ("_dispatcher", "_semaphore")

    def __init__(self, dispatcher: Dispatcher, semaphore: asyncio.Semaphore) -> None:
        self._dispatcher = dispatcher
        self._semaphore = semaphore

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()
        self._dispatcher._sending += 1

    async def __aexit__(self, *exc: object) -> None:
        self._dispatcher._sending -= 1
        self._semaphore.release()


def _not_sent(now: datetime, reason: str) -> HttpResult:
    return HttpResult(now, 0.0, None, reason, None, None)
