"""The signed WEBHOOK_HEALTH_CHECK that must succeed before a webhook is (re-)enabled."""

import contextlib
from collections.abc import Callable

from strawberry.types import Info

from models.event_types import HEALTH_CHECK
from models.ids import new_id
from models.payload import health_check_body
from models.rows import webhook_row
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, Webhook, WebhookStatus
from resolvers.authz import context_of
from resolvers.quotas import count_send


def new_message_id() -> str:
    return f"msg_{new_id()}"


async def send_once(
    info: Info, webhook: Webhook, event: str, payload: Callable[[], object]
) -> Delivery:
    """Create a one-off delivery (not queued) and make its single attempt now. The payload is
    built only once the send is counted: a refused one costs nothing more."""
    await count_send(info, webhook.id)
    delivery = await Delivery.create(
        webhook_id=webhook.id,
        event=event,
        message_id=new_message_id(),
        payload=payload(),
        next_attempt_at=None,  # never claimed by the dispatcher
    )
    await attempt_now(info, delivery.id)
    return await Delivery.get(id=delivery.id)


async def attempt_now(info: Info, delivery_id: str) -> None:
    """One attempt of a delivery, now, by this process (a send on demand, counted already)."""
    services = context_of(info).services
    if services.sender is None:
        return
    # The receiver's time is not the token's: its other operations may run meanwhile.
    limiter = services.limiter
    async with limiter.aside() if limiter else contextlib.nullcontext():
        await services.sender.send_now(delivery_id)


async def health_check(info: Info, webhook: Webhook) -> Webhook:
    delivery = await send_once(
        info, webhook, HEALTH_CHECK, lambda: health_check_body(webhook_row(webhook))
    )
    if delivery.status == DeliveryStatus.SUCCEEDED:
        webhook.enabled = True
        webhook.status = WebhookStatus.HEALTHY
        webhook.consecutive_failures = 0
        webhook.disabled_reason = None
    else:
        attempt = await DeliveryAttempt.filter(delivery_id=delivery.id).order_by("-number").first()
        webhook.enabled = False
        webhook.status = WebhookStatus.UNHEALTHY
        webhook.disabled_reason = f"Health check failed: {attempt.error if attempt else 'not sent'}"
    await webhook.save(
        update_fields=["enabled", "status", "consecutive_failures", "disabled_reason", "updated_at"]
    )
    return webhook
