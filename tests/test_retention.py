"""Event retention: old events are purged once the bridge has passed them and no pending
delivery needs them; a subscription resuming from before the purge gets CURSOR_EXPIRED, never
a silent gap."""

from datetime import UTC, datetime, timedelta
from typing import Any

from bridge import retention
from events.log import Event, purged_through
from models.webhooks import Delivery
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
