"""A URL that resolves to a blocked address at send time is not sent (DNS rebinding)."""

from bridge.config import BridgeConfig
from bridge.dispatcher import Dispatcher
from bridge.queue import Claimed
from bridge.service import client_session
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from tests.conftest import TEST_SCHEDULE, Account, Client
from tests.receiver import Receiver
from tests.tracker import create


def guarded() -> BridgeConfig:
    """A dispatcher whose guard is on, as in production."""
    return BridgeConfig(allow_private_urls=False, delivery_timeout=2, retry_schedule=TEST_SCHEDULE)


async def test_blocked_at_connect_time(gql: Client, owner: Account, receiver: Receiver) -> None:
    # Saved while the address was acceptable (here: private URLs allowed at save time)...
    hook = await create(gql, receiver.url.replace("127.0.0.1", "localhost"), events=["TAG_CREATED"])
    delivery = await Delivery.create(
        webhook_id=hook["id"], event="TAG_CREATED", message_id="msg_guard", payload={"x": 1}
    )
    # ...and sent by a dispatcher whose guard is on.
    config = guarded()
    session = client_session(config)
    try:
        await Dispatcher(session, config).send_now(delivery.id)
    finally:
        await session.close()
    assert receiver.requests == []
    [attempt] = await DeliveryAttempt.filter(delivery_id=delivery.id)
    assert attempt.status_code is None
    assert attempt.error == "blocked: localhost does not resolve to a public address"
    assert (await Delivery.get(id=delivery.id)).status == DeliveryStatus.FAILED
    assert (await Webhook.get(id=hook["id"])).enabled  # a one-off send leaves health alone


async def test_a_delivery_blocked_at_connect_time_fails_at_once(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    """Issue 10 defect 7: it was retried through the whole schedule."""
    hook = await create(gql, receiver.url, events=["TAG_CREATED"])
    delivery = await Delivery.create(
        webhook_id=hook["id"],
        event="TAG_CREATED",
        message_id="msg_guard_queued",
        payload={"x": 1},
        next_attempt_at=None,  # never claimed by the app's own dispatcher
    )
    config = guarded()
    session = client_session(config)
    dispatcher = Dispatcher(session, config)
    try:
        webhook = await Webhook.get(id=hook["id"])
        dispatcher.submit([Claimed.of(delivery)], {webhook.id: webhook}, {})
        await dispatcher.stop()  # waits for the attempt and records it
    finally:
        await session.close()
    assert receiver.requests == []
    stored = await Delivery.get(id=delivery.id)
    assert stored.status == DeliveryStatus.FAILED and stored.attempt_count == 1
    assert stored.next_attempt_at is None
    webhook = await Webhook.get(id=hook["id"])
    assert not webhook.enabled
    assert webhook.disabled_reason == (
        "The URL was refused when connecting: blocked: 127.0.0.1 is a loopback address"
    )
