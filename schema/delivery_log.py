"""Types of webhookDeliveryLog: a webhook's deliveries, newest first, paged by cursor."""

from datetime import datetime

import strawberry
from strawberry import UNSET

from schema.enums import DeliveryStatus
from schema.webhooks import WebhookDelivery


@strawberry.input(description="Which deliveries of the log to show; omitted fields do not filter.")
class DeliveryLogFilter:
    status: DeliveryStatus | None = strawberry.field(
        default=UNSET, description="Only deliveries in this state."
    )
    event: str | None = strawberry.field(
        default=UNSET,
        description="Only deliveries of this event (a WebhookEvent name, or WEBHOOK_HEALTH_CHECK).",
    )
    from_: datetime | None = strawberry.field(
        default=UNSET, name="from", description="Only deliveries created at or after this time."
    )
    to: datetime | None = strawberry.field(
        default=UNSET, description="Only deliveries created before this time."
    )


@strawberry.type(
    description=(
        "One page of a webhook's delivery log, newest first. Pass `endCursor` as `after` for "
        "the next (older) page, `startCursor` as `before` for the previous (newer) one."
    )
)
class WebhookDeliveryPage:
    items: list[WebhookDelivery] = strawberry.field(description="The deliveries on this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first (newest) item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last (oldest) item; null when the page is empty."
    )
    has_next_page: bool = strawberry.field(description="Whether older deliveries follow.")
    has_previous_page: bool = strawberry.field(description="Whether newer deliveries precede.")
