"""Barriers for tests that prove a negative ("nothing else was delivered"): instead of sleeping,
wait until the bridge has matched every event so far and nothing is due or in flight."""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

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
