"""One tenant's sends on demand never hold up another's deliveries (issue 10 defect 2).

testWebhook sent at once through the shared pool, outside the per-endpoint limit and with no
rate: 1,100 concurrent calls to a hanging URL delayed a healthy webhook's deliveries from
~20 ms to 15 s. Now each webhook's sends on demand take its place among its requests in
flight, and are counted per webhook and per token.
"""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from bridge.config import BridgeConfig
from bridge.dispatcher import Dispatcher
from bridge.queue import Claimed
from bridge.service import client_session
from hookline.settings import Settings
from models.ids import new_id
from models.webhooks import Delivery, Webhook
from tests.conftest import Account, Client, new_account
from tests.receiver import Receiver
from tests.tracker import Tracker, create

TEST = "mutation($w:String!){testWebhook(input:{webhookId:$w}){status}}"
FLOOD = 2000


async def hanging() -> Receiver:
    """An endpoint that answers only after every timeout of these tests."""
    receiver = await Receiver().start()
    receiver.default = (200, {}, 60.0)
    return receiver


async def test_a_flood_of_test_sends_leaves_other_deliveries_flowing(
    http: httpx.AsyncClient, gql: Client, owner: Account, receiver: Receiver
) -> None:
    attacker = await new_account("Flood")
    flooding = Client(http, attacker.token, attacker.company_id)
    stuck = await hanging()
    try:
        flooded = await create(flooding, stuck.url, events=["COMMENT_CREATED"])
        await create(gql, receiver.url, events=["TAG_CREATED"])
        flood = [
            asyncio.create_task(flooding.raw(TEST, {"w": flooded["id"]})) for _ in range(FLOOD)
        ]
        await stuck.wait_for(1, within=60)  # the flood has reached the hanging endpoint
        tracker = Tracker(gql, owner.project_id)
        await tracker.tag("during the flood")
        [delivered] = await receiver.wait_for(1)
        assert delivered.json["event"] == "TAG_CREATED"
        results = await asyncio.gather(*flood)
    finally:
        await stuck.stop()
    assert len(stuck.requests) < FLOOD // 10  # not 2,000 requests to one host at once
    codes = [r["errors"][0]["extensions"]["code"] for r in results if r.get("errors")]
    assert codes == ["RATE_LIMITED"] * (FLOOD - len(stuck.requests))
    # The rate's window slides: a flood across a minute's turn may get a few more through.
    allowed = int(Settings().rate_limit_test_webhook.split("/")[0])
    assert allowed <= len(stuck.requests) <= 2 * allowed


async def test_sends_on_demand_take_the_endpoint_limit(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    """Below the rates: the dispatcher lets a webhook hold per_endpoint_limit requests, sends
    on demand included, so a flood of them cannot take the pool from the rest."""
    stuck = await hanging()
    config = BridgeConfig(
        allow_private_urls=True, delivery_timeout=60, per_endpoint_limit=4, max_in_flight=32
    )
    session = client_session(config)
    dispatcher = Dispatcher(session, config)
    flood: list[asyncio.Task[None]] = []
    try:
        flooded = await create(gql, stuck.url, events=["COMMENT_CREATED"])
        healthy = await create(gql, receiver.url, events=["TAG_CREATED"])
        for n in range(100):  # more than the whole pool
            delivery = await Delivery.create(
                webhook_id=flooded["id"],
                event="COMMENT_CREATED",
                message_id=f"msg_flood_{owner.user_id}_{n}",
                payload={"n": n},
                next_attempt_at=None,  # one-off: the app's own dispatcher never claims it
            )
            flood.append(asyncio.create_task(dispatcher.send_now(delivery.id)))
        await stuck.wait_for(config.per_endpoint_limit)
        delivery = await Delivery.create(
            webhook_id=healthy["id"],
            event="TAG_CREATED",
            message_id=f"msg_healthy_{owner.user_id}",
            payload={"healthy": True},
            next_attempt_at=None,
        )
        webhook = await Webhook.get(id=healthy["id"])
        dispatcher.submit([Claimed.of(delivery)], {webhook.id: webhook}, {})
        [delivered] = await receiver.wait_for(1)
        assert delivered.json == {"healthy": True}
        assert len(stuck.requests) == config.per_endpoint_limit
    finally:
        for task in flood:
            task.cancel()
        await asyncio.gather(*flood, return_exceptions=True)
        await dispatcher.stop(grace=0)
        await session.close()
        await stuck.stop()


async def test_a_busy_webhook_does_not_stall_another_ones_backlog(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    """While one webhook is at its quota, the scan past it waits for the rescan gate — and a
    second webhook's backlog was then claimed again only at the next poll (a minute here),
    not when the gate opened: it drained a quota per poll."""
    stuck = await hanging()
    config = BridgeConfig(
        allow_private_urls=True,
        delivery_timeout=60,
        per_endpoint_limit=2,  # a quota of 8 per claim, so the backlog takes many claims
        poll_interval=60,
    )
    # Due only by this dispatcher's clock, two hours ahead, so the app's dispatcher leaves
    # them alone.
    ahead = timedelta(hours=2)
    later = datetime.now(UTC) + ahead
    session = client_session(config)
    dispatcher = Dispatcher(session, config, clock=lambda: datetime.now(UTC) + ahead)
    busy = await create(gql, stuck.url, events=["COMMENT_CREATED"])
    backlog = await create(gql, receiver.url, events=["COMMENT_CREATED"])
    running = asyncio.create_task(dispatcher.run())
    try:
        for webhook, count in ((busy, 40), (backlog, 80)):
            await Delivery.bulk_create(
                [
                    Delivery(
                        id=new_id(),
                        webhook_id=webhook["id"],
                        event="COMMENT_CREATED",
                        message_id=f"msg_{webhook['id']}_{n}",
                        payload={"n": n},
                        next_attempt_at=later,
                    )
                    for n in range(count)
                ]
            )
        dispatcher.wake()
        await receiver.wait_for(80, within=30)
    finally:
        await dispatcher.stop(grace=0)
        await running
        await session.close()
        await stuck.stop()
        await Webhook.filter(id=busy["id"]).update(enabled=False)


async def test_a_cookie_one_receiver_sets_is_never_sent_on(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    """Every webhook shares the process's HTTP pool. A cookie jar on it kept what one tenant's
    receiver set (Set-Cookie) and sent it with every later request to that host: to another
    tenant's webhook on the same host (hooks.zapier.com serves all of them), which then saw
    the first tenant's session. Webhook requests carry no cookies."""
    other = await new_account("Cookies")
    theirs = Client(gql.http, other.token, other.company_id)
    # A host name, not 127.0.0.1: cookie jars refuse cookies from IP addresses.
    host = receiver.url.replace("127.0.0.1", "localhost")
    await create(theirs, host.replace("/hook", "/theirs"), events=["TAG_CREATED"])
    await create(gql, host, events=["TAG_CREATED"])
    receiver.answer(200, {"Set-Cookie": "session=theirs-only; Path=/"})
    await Tracker(theirs, other.project_id).tag("answered with a cookie")
    await receiver.wait_for(1)
    await Tracker(gql, owner.project_id).tag("later, another tenant")
    [first, second] = await receiver.wait_for(2)
    assert first.json["company"]["id"] == other.company_id
    assert second.json["company"]["id"] == owner.company_id
    assert "Cookie" not in second.headers
