"""Barriers for tests that prove a negative ("nothing else was delivered"): instead of sleeping,
wait until the bridge has matched every event so far and nothing is due or in flight; or until
a statement is waiting for a row lock another connection holds (PostgreSQL)."""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg

from models.webhooks import Delivery, DeliveryStatus
from tests.tracker import newest_committed_id


async def bridge_settled(app: Any, within: float = 10.0) -> None:
    """Every event committed before the call has been matched, every delivery that was due
    has been attempted and recorded, and no attempt is running: whatever these events were
    going to cause by now has happened. Retries scheduled for later may remain."""
    bridge = app.state.bridge
    target = await newest_committed_id()
    deadline = time.monotonic() + within
    while not (
        bridge.matcher.cursor >= target
        and bridge.dispatcher.idle
        and not await Delivery.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=datetime.now(UTC)
        ).exists()
    ):
        assert time.monotonic() < deadline, "the bridge did not settle in time"
        await asyncio.sleep(0.01)


WAITING_FOR_A_LOCK = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
)


async def waiting_for_a_lock(connection: asyncpg.Connection, what: str) -> None:
    """Until some statement in the database waits for a lock (held by `connection`'s
    transaction, in the tests that call this)."""
    for _ in range(500):
        if await connection.fetchval(WAITING_FOR_A_LOCK):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} never waited for the lock")
