"""webhookStats: a webhook's deliveries and latency per time bucket (models.stats)."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from models.stats import webhook_stats
from resolvers import webhook_rules as rules
from schema.errors import BadUserInput
from schema.stats import STEPS, Buckets, StatsBucket, WebhookStatsBucket

MAX_BUCKETS = 1440  # a day by the minute


def utc(value: datetime) -> datetime:
    """A DateTime argument in UTC; one without a zone is taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@strawberry.type
class StatsQuery:
    @strawberry.field(
        description=(
            "Deliveries of one of your webhooks by outcome, and attempt latency p50/p95, per "
            f"time bucket from `from` to `to` (at most {MAX_BUCKETS} buckets; empty buckets "
            "included). A bucket as long as the whole range gives totals, e.g. the last 24 h."
        )
    )
    async def webhook_stats(
        self,
        info: Info,
        webhook_id: Annotated[str, strawberry.argument(description="The webhook's id.")],
        from_: Annotated[
            datetime, strawberry.argument(name="from", description="Start of the first bucket.")
        ],
        to: Annotated[
            datetime, strawberry.argument(description="End of the range (not included).")
        ],
        bucket: Annotated[
            StatsBucket, strawberry.argument(description="How long each bucket is.")
        ] = Buckets.HOUR,
    ) -> list[WebhookStatsBucket]:
        webhook = await rules.webhook(info, webhook_id, "read")
        start, end = utc(from_), utc(to)
        if end <= start:
            raise BadUserInput("`to` must be after `from`", field="to")
        if (end - start) / STEPS[bucket] > MAX_BUCKETS:
            raise BadUserInput(
                f"at most {MAX_BUCKETS} buckets: choose a longer bucket or a shorter range",
                field="bucket",
            )
        buckets = await webhook_stats(webhook.id, start, end, STEPS[bucket])
        return [WebhookStatsBucket.of(b) for b in buckets]
