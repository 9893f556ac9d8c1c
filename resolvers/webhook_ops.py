"""Operating webhooks beyond Blue: secret rotation, the delivery log, redelivery, recovery,
test sends and sample payloads."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from bridge.signing import generate_secret
from events.announcement import Announcement
from models import ids
from models.rows import webhook_row
from models.samples import sample_body
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus
from resolvers import webhook_rules as rules
from resolvers.authz import context_of, principal
from resolvers.health import attempt_now, send_once
from resolvers.quotas import count_send
from resolvers.validate import given
from resolvers.webhooks import webhooks_changed
from schema.enums import DeliveryStatus as DeliveryStatusEnum
from schema.enums import WebhookEvent
from schema.errors import BadUserInput, NotFound
from schema.paging import page, skipping, taking
from schema.webhooks import (
    PageInfo,
    RecoverWebhookInput,
    RedeliverWebhookDeliveryInput,
    RotateWebhookSecretInput,
    TestWebhookInput,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryPagination,
)

MAX_GRACE = 30 * 86400


async def delivery_view(delivery: Delivery) -> WebhookDelivery:
    attempts = await DeliveryAttempt.filter(delivery_id=delivery.id).order_by("id")
    return WebhookDelivery.from_model(delivery, attempts)


@strawberry.type
class WebhookOpsQuery:
    @strawberry.field(
        description="The delivery log of one of your webhooks, newest first, with every attempt."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: Annotated[str, strawberry.argument(description="The webhook's id.")],
        status: Annotated[
            DeliveryStatusEnum | None,
            strawberry.argument(description="Only deliveries in this state."),
        ] = None,
        skip: skipping("deliveries") = 0,
        take: taking("deliveries") = 20,
    ) -> WebhookDeliveryPagination:
        page(skip, take)
        webhook = await rules.webhook(info, webhook_id, "read")
        query = Delivery.filter(webhook_id=webhook.id)
        if status is not None:
            query = query.filter(status=DeliveryStatus(status))
        total = await query.count()
        rows = await query.order_by("-created_at", "-id").offset(skip).limit(take)
        attempts: dict[str, list[DeliveryAttempt]] = {r.id: [] for r in rows}
        for attempt in await DeliveryAttempt.filter(delivery_id__in=list(attempts)).order_by("id"):
            attempts[attempt.delivery_id].append(attempt)
        return WebhookDeliveryPagination(
            items=[WebhookDelivery.from_model(r, attempts[r.id]) for r in rows],
            page_info=PageInfo.of(total, skip, take),
        )

    @strawberry.field(
        description=(
            "What the body of a delivery of this event looks like, with made-up "
            "values (for mapping fields in a connector)."
        )
    )
    async def webhook_sample_payload(
        self,
        info: Info,
        event: Annotated[WebhookEvent, strawberry.argument(description="The event.")],
    ) -> JSON:
        principal(info)
        return sample_body(str(event))


@strawberry.type
class WebhookOpsMutation:
    @strawberry.mutation(
        description=(
            "Replace a webhook's signing secret. The answer holds the new "
            "`secret`, shown this once; during the grace period deliveries carry "
            "a `webhook-signature` for both secrets."
        )
    )
    async def rotate_webhook_secret(
        self,
        info: Info,
        input: Annotated[
            RotateWebhookSecretInput,
            strawberry.argument(description="The webhook and the grace period."),
        ],
    ) -> Webhook:
        webhook = await rules.webhook(info, input.webhook_id, "change")
        if not 0 <= input.grace_period_seconds <= MAX_GRACE:
            raise BadUserInput(
                f"gracePeriodSeconds must be between 0 and {MAX_GRACE}", field="gracePeriodSeconds"
            )
        secret = generate_secret()
        webhook.previous_secret = webhook.secret if input.grace_period_seconds else None
        webhook.previous_secret_expires_at = (
            datetime.now(UTC) + timedelta(seconds=input.grace_period_seconds)
            if input.grace_period_seconds
            else None
        )
        webhook.secret = secret
        await webhook.save(
            update_fields=["secret", "previous_secret", "previous_secret_expires_at"]
        )
        await webhooks_changed(info, webhook.id)
        return Webhook.from_model(webhook, secret=secret)

    @strawberry.mutation(
        description=(
            "Send a signed sample delivery now and return it with its attempt. "
            "One attempt, no retries; the webhook's health is left alone."
        )
    )
    async def test_webhook(
        self,
        info: Info,
        input: Annotated[
            TestWebhookInput,
            strawberry.argument(description="The webhook and the event to sample."),
        ],
    ) -> WebhookDelivery:
        webhook = await rules.webhook(info, input.webhook_id, "change")
        if given(input.event) and input.event is not None:
            event = str(input.event)
        else:
            event = webhook.events[0] if webhook.events else "TODO_CREATED"
        delivery = await send_once(
            info, webhook, event, lambda: sample_body(event, webhook_row(webhook))
        )
        return await delivery_view(delivery)

    @strawberry.mutation(
        description=(
            "Send a delivery again: a PENDING one has its next attempt brought "
            "forward; an ended one gets one more attempt now."
        )
    )
    async def redeliver_webhook_delivery(
        self,
        info: Info,
        input: Annotated[
            RedeliverWebhookDeliveryInput, strawberry.argument(description="The delivery.")
        ],
    ) -> WebhookDelivery:
        principal(info)  # authentication before any lookup
        asked = NotFound("WebhookDelivery", input.delivery_id)
        delivery = await ids.find(Delivery, input.delivery_id)
        if delivery is None:
            raise asked
        await rules.webhook(info, delivery.webhook_id, "change", asked=asked)
        if delivery.status == DeliveryStatus.PENDING:
            # Still being retried: bring its next attempt forward, keep its schedule.
            await Delivery.filter(id=delivery.id, status=DeliveryStatus.PENDING).update(
                next_attempt_at=datetime.now(UTC)
            )
            context_of(info).services.announcer.announce(Announcement.DELIVERIES)
        else:
            await count_send(info, delivery.webhook_id)
            await attempt_now(info, delivery.id)
        return await delivery_view(await Delivery.get(id=delivery.id))

    @strawberry.mutation(
        description=(
            "Queue again, on a fresh retry schedule, the FAILED event deliveries "
            "of an enabled webhook created in [since, until). Returns how many."
        )
    )
    async def recover_webhook(
        self,
        info: Info,
        input: Annotated[
            RecoverWebhookInput, strawberry.argument(description="The webhook and the time window.")
        ],
    ) -> int:
        """Re-queue the FAILED event deliveries created in [since, until), on a fresh schedule."""
        webhook = await rules.webhook(info, input.webhook_id, "change")
        if not webhook.enabled:
            raise BadUserInput(
                "Enable the webhook first (updateWebhook enabled: true): a disabled webhook "
                "would fail the recovered deliveries again",
                field="webhookId",
            )
        until = input.until if given(input.until) and input.until is not None else datetime.now(UTC)
        if until <= input.since:
            raise BadUserInput("until must be after since", field="until")
        count = await Delivery.filter(
            webhook_id=webhook.id,
            status=DeliveryStatus.FAILED,
            event_id__isnull=False,  # event deliveries only: health checks and tests are one-off
            created_at__gte=input.since,
            created_at__lt=until,
        ).update(
            status=DeliveryStatus.PENDING,
            attempt_count=0,
            next_attempt_at=datetime.now(UTC),
            claimed_until=None,
        )
        if count:
            context_of(info).services.announcer.announce(Announcement.DELIVERIES)
        return count
