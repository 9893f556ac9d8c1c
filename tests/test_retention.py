"""Event retention: old events are purged once the bridge has passed them and no pending
delivery needs them; a subscription resuming from before the purge gets CURSOR_EXPIRED, never
a silent gap."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from bridge import queue, retention
from events.log import Event, purged_through
from models.ids import new_id
from models.webhooks import Delivery, DeliveryStatus, SentWebhookRow
from tests.barriers import waiting_for_a_lock
from tests.conftest import Account, Client
from tests.servers import GraphQLWebSocket, uvicorn_server
from tests.tracker import Tracker, create

SUBSCRIBE = "subscription($a:String){events(after:$a){id event}}"


async def aged(gql: Client, owner: Account, count: int) -> list[int]:
    """`count` events in the owner's project, made 40 days old."""
    tracker = Tracker(gql, owner.project_id)
    cursor = await tracker.cursor()
    for n in range(count):
        await tracker.todo_list(f"old {n}")
    ids = [e.id for e in await tracker.events_since(cursor)]
    # Purges walk from the oldest event: everything before these is made as old as they are.
    await Event.filter(id__lte=ids[-1]).update(created_at=datetime.now(UTC) - timedelta(days=40))
    return ids


async def test_old_events_are_purged_up_to_the_matcher(gql: Client, owner: Account) -> None:
    ids = await aged(gql, owner, 3)
    assert await retention.purge_events(30, matched_through=ids[1]) >= 2
    assert not await Event.filter(id__in=ids[:2]).exists()
    assert await Event.filter(id=ids[2]).exists()  # the matcher has not passed it yet
    assert await purged_through() >= ids[1]
    await retention.purge_events(30, matched_through=ids[2])
    assert not await Event.filter(id=ids[2]).exists()


async def test_an_event_a_pending_delivery_needs_is_kept(gql: Client, owner: Account) -> None:
    ids = await aged(gql, owner, 2)
    hook = await create(gql, "http://127.0.0.1:9/", events=["TAG_CREATED"])
    pending = await Delivery.create(
        webhook_id=hook["id"],
        event="TODO_LIST_CREATED",
        event_id=ids[0],
        message_id=f"msg_keep_{ids[0]}",
    )
    try:
        await retention.purge_events(30, matched_through=ids[1])
        assert await Event.filter(id__in=ids).count() == 2
    finally:
        await pending.delete()


async def subscribe(app: Any, owner: Account, after: int) -> dict[str, Any]:
    """The first message a subscription resuming after `after` gets."""
    async with (
        uvicorn_server(app) as address,
        GraphQLWebSocket.connect(address, {"authorization": f"Bearer {owner.token}"}) as ws,
    ):
        await ws.subscribe("1", SUBSCRIBE, {"a": str(after)})
        return await ws.receive()


async def test_resuming_before_the_horizon_is_cursor_expired(
    app: Any, gql: Client, owner: Account
) -> None:
    ids = await aged(gql, owner, 2)
    before = ids[0] - 1
    await retention.purge_events(30, matched_through=ids[-1])
    message = await subscribe(app, owner, before)
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "CURSOR_EXPIRED"
    horizon = await purged_through()
    await Tracker(gql, owner.project_id).todo_list("after the purge")
    message = await subscribe(app, owner, horizon)  # from the horizon on, nothing is missing
    assert message["type"] == "next" and int(message["payload"]["data"]["events"]["id"]) > horizon


async def purge_during(database_url: str, change: str, key: str, purge: Any) -> None:
    """Run `purge` while another connection's transaction has made `change` to the row `key`
    but not committed it yet: the purge reads the row as it was, then waits for its lock."""
    other = await asyncpg.connect(database_url)
    try:
        async with other.transaction():
            await other.execute(change, key)
            purging = asyncio.create_task(purge)
            await waiting_for_a_lock(other, "the purge")
        await purging
    finally:
        await other.close()


async def test_a_delivery_recovered_while_the_purge_runs_is_kept(
    gql: Client, owner: Account, database_url: str
) -> None:
    """The delivery purge read the ids of old finished deliveries, then deleted by id alone:
    one that recoverWebhook re-queued in between was deleted, after the mutation had counted
    it as re-queued. The delete repeats the purge's condition, and PostgreSQL re-checks it on
    the row it waited for."""
    if not database_url.startswith("postgres"):
        pytest.skip("row locks are PostgreSQL's (SQLite serialises writers)")
    hook = await create(gql, "http://127.0.0.1:9/", events=["TAG_CREATED"])
    failed = await Delivery.create(
        webhook_id=hook["id"],
        event="TAG_CREATED",
        message_id=f"msg_recovered_{hook['id']}",
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
    )
    await Delivery.filter(id=failed.id).update(created_at=datetime.now(UTC) - timedelta(days=40))
    await purge_during(
        database_url,
        "UPDATE delivery SET status = 'PENDING', attempt_count = 0 WHERE id = $1",  # recovered
        failed.id,
        queue.purge_older_than(datetime.now(UTC) - timedelta(days=30), 100),
    )
    kept = await Delivery.get_or_none(id=failed.id)
    assert kept is not None and kept.status == DeliveryStatus.PENDING
    await kept.delete()


async def test_a_webhook_row_used_while_the_purge_runs_is_kept(database_url: str) -> None:
    """The same for the webhook rows bodies carried: one an attempt used again while the purge
    ran was deleted, and that attempt's body could no longer be rebuilt for the delivery log."""
    if not database_url.startswith("postgres"):
        pytest.skip("row locks are PostgreSQL's (SQLite serialises writers)")
    digest = f"{new_id():0>64}"
    long_ago = datetime.now(UTC) - timedelta(days=40)
    await SentWebhookRow.create(sha256=digest, webhook_id="w", row="{}", last_used_at=long_ago)
    await purge_during(
        database_url,
        "UPDATE sent_webhook_row SET last_used_at = now() WHERE sha256 = $1",  # used again
        digest,
        queue.purge_sent_rows_older_than(datetime.now(UTC) - timedelta(days=30), 100),
    )
    assert await SentWebhookRow.filter(sha256=digest).exists()
    await SentWebhookRow.filter(sha256=digest).delete()
