"""Recording finished attempts: in batches, and never letting one row hold back another.

A batch is written in one transaction. Should it fail, each of its attempts is written on its
own; one that still fails is written without the receiver's response (the likeliest cause);
one that fails even so (the database is unreachable) is kept and written again later. Waiting
attempts are never sent again meanwhile: a delivery that succeeded is not POSTed twice because
its record was late.
"""

import asyncio
import dataclasses
import logging
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from bridge import metrics, queue
from bridge.config import BridgeConfig
from bridge.outcomes import Attempted, plan
from bridge.render import EventData

logger = logging.getLogger("hookline.recorder")

BATCH = 500
INTERVAL = 0.05  # fewer, larger transactions; the attempt is already sent
# After a write that failed for good, wait before the next: from this, doubling, to MAX_BACKOFF.
BACKOFF = 0.5
MAX_BACKOFF = 10.0

Finished = tuple[Attempted, EventData | None]


class Recorder:
    def __init__(
        self,
        config: BridgeConfig,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        on_webhooks_disabled: Callable[[list[str]], None],
    ) -> None:
        self.config = config
        self.clock = clock
        self.rng = rng
        self.on_webhooks_disabled = on_webhooks_disabled
        self._finished: list[Finished] = []
        self._backoff = 0.0

    def add(self, attempted: Attempted, event: EventData | None) -> None:
        self._finished.append((attempted, event))
        if attempted.result.error is not None:
            logger.warning(
                "delivery %s to webhook %s failed (attempt %d): %s",
                attempted.delivery_id,
                attempted.webhook_id,
                attempted.number,
                attempted.result.error,
                # Keys of their own in HOOKLINE_LOG_FORMAT=json.
                extra={
                    "webhook_id": attempted.webhook_id,
                    "delivery_id": attempted.delivery_id,
                    "attempt": attempted.number,
                    "reason": attempted.result.error,
                },
            )

    @property
    def waiting(self) -> int:
        """Finished attempts not recorded yet."""
        return len(self._finished)

    async def run(self, stopping: Callable[[], bool]) -> None:
        """Record every INTERVAL until `stopping()`; the caller flushes once more after."""
        while not stopping():
            await asyncio.sleep(INTERVAL + self._backoff)
            await self.flush()

    async def flush(self) -> None:
        """Write what has finished; what cannot be written now is kept for the next flush."""
        kept: list[Finished] = []
        while self._finished:
            batch, self._finished = self._finished[:BATCH], self._finished[BATCH:]
            try:
                await self.record(batch)
            except Exception:
                logger.warning("recording %d attempts together failed; one by one", len(batch))
                kept += [one for one in batch if not await self._record_alone(one)]
        self._finished = kept + self._finished
        self._backoff = min(max(self._backoff * 2, BACKOFF), MAX_BACKOFF) if kept else 0.0

    async def _record_alone(self, finished: Finished) -> bool:
        attempted, event = finished
        try:
            await self.record([finished])
            return True
        except Exception as exc:
            cause = f"{type(exc).__name__}: {exc}"
        result = attempted.result
        bare = dataclasses.replace(
            attempted,
            result=dataclasses.replace(
                result, body=None, error=f"{result.error or 'answered'}; response not recorded"
            ),
        )
        try:
            await self.record([(bare, event)])
            logger.warning(
                "recorded delivery %s without its response (%s)", bare.delivery_id, cause
            )
            return True
        except Exception:
            logger.exception("recording delivery %s failed; will try again", bare.delivery_id)
            return False

    async def record(self, finished: list[Finished]) -> None:
        """Write attempts, delivery states and webhook health in one transaction."""
        attempts = [a for a, _ in finished]
        decided = plan(
            attempts,
            now=self.clock(),
            schedule=self.config.retry_schedule,
            rng=self.rng,
            max_retry_after=self.config.max_retry_after,
        )
        disabled = await queue.store(attempts, decided, self.config.unhealthy_after)
        kinds: Counter[str] = Counter()
        for attempt, event in finished:
            kind = decided.decisions[attempt.delivery_id].kind
            kinds[kind] += 1
            if kind == "succeeded" and event is not None and attempt.number == 1:
                lag = (attempt.result.started_at - event.created_at).total_seconds()
                metrics.EVENT_LAG_SECONDS.observe(max(lag, 0.0))
        for kind, count in kinds.items():  # once per outcome, not per attempt
            metrics.DELIVERIES.labels(kind).inc(count)
        if disabled:
            logger.warning("disabled webhooks %s", disabled)
            self.on_webhooks_disabled(disabled)
