"""A URL that resolves to a blocked address at send time is not sent (DNS rebinding)."""

from bridge.config import BridgeConfig
from bridge.dispatcher import Dispatcher
from bridge.service import client_session
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.tracker import create


async def test_blocked_at_connect_time(gql: Client, owner: Account, receiver: Receiver) -> None:
    # Saved while the address was acceptable (here: private URLs allowed at save time)...
    hook = await create(gql, receiver.url.replace("127.0.0.1", "localhost"), events=["TAG_CREATED"])
    delivery = await Delivery.create(
        webhook_id=hook["id"], event="TAG_CREATED", message_id="msg_guard", payload={"x": 1}
    )
    # ...and sent by a dispatcher whose guard is on, as in production.
    config = BridgeConfig(allow_private_urls=False, delivery_timeout=2)
    session = client_session(config)
    try:
        await Dispatcher(session, config).send_now(delivery.id)
    finally:
        await session.close()
    assert receiver.requests == []
    [attempt] = await DeliveryAttempt.filter(delivery_id=delivery.id)
    assert (
        attempt.status_code is None and "blocked" in attempt.error and "loopback" in attempt.error
    )
    assert (await Delivery.get(id=delivery.id)).status == DeliveryStatus.FAILED
    assert (await Webhook.get(id=hook["id"])).enabled  # a one-off send leaves health alone
