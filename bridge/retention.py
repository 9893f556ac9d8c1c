"""Retention: finished deliveries (with their attempts) and events past their age are purged
in small batches, each a short transaction, so the dispatcher's writes never wait long; after
each batch the purge rests PAUSE_FACTOR times as long as the batch took, so it holds the
database (SQLite has one writer) at most a fifth of the time, however big the backlog. A
rotated-out webhook secret is erased once its grace period is over.

Events go only once the matcher has passed them and no pending delivery still needs them;
the horizon they leave behind makes a subscription resuming before it fail with
CURSOR_EXPIRED instead of skipping what is gone (events.log.purged_through).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bridge import queue
from events import log
from models.webhooks import Webhook

logger = logging.getLogger("hookline.retention")

BATCH = 100
# Between batches: room for the dispatcher's own writes, at least PAUSE, and PAUSE_FACTOR
# times the batch's own duration (a batch is slower on a busy or big database).
PAUSE = 0.01
PAUSE_FACTOR = 4.0
MAX_BATCHES = 200  # per call; the rest waits for the next round of housekeeping


async def purge_deliveries(retention_days: float, now: datetime | None = None) -> int:
    """Finished deliveries past the retention, with their attempts and the webhook row
    versions that only those attempts used."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    purged = await _in_batches(lambda: queue.purge_older_than(cutoff, BATCH), "deliveries")
    await _in_batches(lambda: queue.purge_sent_rows_older_than(cutoff, BATCH), "webhook rows")
    return purged


async def purge_events(
    retention_days: float, matched_through: int, now: datetime | None = None
) -> int:
    """Events older than the retention that the matcher has passed (`matched_through`) and
    that no pending delivery still renders."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    needed = await queue.oldest_pending_event()
    below = min(matched_through + 1, needed if needed is not None else matched_through + 1)
    return await _in_batches(lambda: log.purge(cutoff, below, BATCH), "events")


async def erase_expired_secrets(now: datetime | None = None) -> int:
    """Set the previous secret of every webhook whose rotation grace period is over to NULL:
    signing has ignored it since (bridge.render), and a secret no one needs is not kept."""
    erased = await Webhook.filter(
        previous_secret__isnull=False, previous_secret_expires_at__lte=now or datetime.now(UTC)
    ).update(previous_secret=None, previous_secret_expires_at=None)
    if erased:
        logger.info("erased %d rotated-out webhook secrets", erased)
    return erased


async def _in_batches(batch: Callable[[], Awaitable[int]], what: str) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        started = time.monotonic()
        purged = await batch()
        total += purged
        if purged < BATCH:
            break
        await asyncio.sleep(max(PAUSE, PAUSE_FACTOR * (time.monotonic() - started)))
    if total:
        logger.info("retention purged %d %s", total, what)
    return total
