"""Operator-facing behaviour of the bridge: metrics and retention."""

import asyncio
import random
from datetime import UTC, datetime, timedelta

from bridge import queue, retention
from bridge.http import HttpResult
from bridge.outcomes import Attempted
from bridge.outcomes import plan as plan_outcomes
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, Webhook, WebhookStatus
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.tracker import Tracker, create


def sample(text: str, name: str, labels: str = "") -> float:
    for line in text.splitlines():
        if line.startswith(name + labels + " ") or (not labels and line.startswith(name + " ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_deliveries(gql: Client, owner: Account, receiver: Receiver) -> None:
    before = (await gql.http.get("/metrics")).text
    await create(gql, receiver.url, events=["TODO_CREATED"])
    await Tracker(gql, owner.project_id).todo()
    await receiver.wait_for(1)
    for _ in range(100):
        after = (await gql.http.get("/metrics")).text
        succeeded = '{outcome="succeeded"}'
        if sample(after, "hookline_delivery_attempts_total", succeeded) > sample(
            before, "hookline_delivery_attempts_total", succeeded
        ):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the delivery was not counted")
    assert sample(after, "hookline_delivery_attempt_seconds_count") > sample(
        before, "hookline_delivery_attempt_seconds_count"
    )
    assert "hookline_delivery_queue_depth" in after
    assert sample(after, "hookline_event_to_delivery_seconds_count") > sample(
        before, "hookline_event_to_delivery_seconds_count"
    )


async def test_retention_purges_only_old_finished_deliveries(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TAG_CREATED"])
    old = datetime.now(UTC) - timedelta(days=40)
    rows = {}
    for status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.PENDING):
        delivery = await Delivery.create(
            webhook_id=hook["id"],
            event="TAG_CREATED",
            message_id=f"msg_old_{status}",
            payload={},
            status=status,
        )
        await Delivery.filter(id=delivery.id).update(created_at=old)
        await DeliveryAttempt.create(
            delivery_id=delivery.id, number=1, started_at=old, duration_ms=1.0, status_code=200
        )
        rows[status] = delivery.id
    fresh = await Delivery.create(
        webhook_id=hook["id"],
        event="TAG_CREATED",
        message_id="msg_fresh",
        payload={},
        status=DeliveryStatus.SUCCEEDED,
    )
    purged = await retention.purge_deliveries(30)
    assert purged >= 2
    remaining = set(await Delivery.filter(webhook_id=hook["id"]).values_list("id", flat=True))
    assert remaining == {rows[DeliveryStatus.PENDING], fresh.id}
    assert not await DeliveryAttempt.filter(delivery_id=rows[DeliveryStatus.SUCCEEDED]).exists()


async def test_a_webhook_deleted_mid_attempt_does_not_sink_the_batch(
    gql: Client, receiver: Receiver
) -> None:
    kept, gone = (await create(gql, receiver.url)), (await create(gql, receiver.url))
    deliveries = {
        hook["id"]: await Delivery.create(
            webhook_id=hook["id"],
            event="TAG_CREATED",
            message_id=f"msg_fk_{hook['id']}",
            payload={},
        )
        for hook in (kept, gone)
    }
    await Webhook.filter(id=gone["id"]).delete()  # cascades to its delivery
    now = datetime.now(UTC)
    attempts = [
        Attempted(d.id, hook_id, 1, HttpResult(now, 1.0, 200, None, "ok", None))
        for hook_id, d in deliveries.items()
    ]
    decided = plan_outcomes(
        attempts, now=now, schedule=(0,), rng=random.Random(1), max_retry_after=1
    )
    await queue.store(attempts, decided, unhealthy_after=3)
    survivor = await Delivery.get(id=deliveries[kept["id"]].id)
    assert survivor.status == DeliveryStatus.SUCCEEDED
    assert await DeliveryAttempt.filter(delivery_id=survivor.id).count() == 1


async def test_an_attempt_finishing_after_its_webhook_was_disabled_keeps_it_unhealthy(
    gql: Client, receiver: Receiver
) -> None:
    """A success recorded after the leaver rule disabled its webhook (UNHEALTHY, with a
    reason) set the webhook HEALTHY again while it stayed disabled; so did a failure below
    the threshold."""
    hooks = [await create(gql, receiver.url), await create(gql, receiver.url)]
    now = datetime.now(UTC)
    attempts = []
    for hook, status in zip(hooks, (200, 500), strict=True):
        delivery = await Delivery.create(
            webhook_id=hook["id"], event="TAG_CREATED", message_id=f"msg_{hook['id']}", payload={}
        )
        attempts.append(
            Attempted(delivery.id, hook["id"], 1, HttpResult(now, 1.0, status, None, "", None))
        )
    await Webhook.filter(id__in=[h["id"] for h in hooks]).update(
        enabled=False, status=WebhookStatus.UNHEALTHY, disabled_reason="retired"
    )
    decided = plan_outcomes(
        attempts, now=now, schedule=(0, 1), rng=random.Random(1), max_retry_after=1
    )
    await queue.store(attempts, decided, unhealthy_after=3)
    for hook in hooks:
        stored = await Webhook.get(id=hook["id"])
        assert (stored.enabled, stored.status, stored.disabled_reason) == (
            False,
            WebhookStatus.UNHEALTHY,
            "retired",
        )
