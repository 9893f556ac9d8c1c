"""Types of webhookStats (API.md §8): deliveries and latency of one webhook over time."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self

import strawberry

from models.stats import Bucket
from schema.enums import described


class Buckets(StrEnum):
    MINUTE = "MINUTE"
    HOUR = "HOUR"
    DAY = "DAY"


StatsBucket = described(
    Buckets,
    "StatsBucket",
    "How long each bucket of webhookStats is.",
    {"MINUTE": "One minute.", "HOUR": "One hour.", "DAY": "24 hours."},
)

STEPS = {
    Buckets.MINUTE: timedelta(minutes=1),
    Buckets.HOUR: timedelta(hours=1),
    Buckets.DAY: timedelta(days=1),
}


@strawberry.type(
    description=(
        "One time bucket of a webhook's deliveries: those created in it, by their state now, "
        "and the latency of the attempts started in it that got an HTTP answer."
    )
)
class WebhookStatsBucket:
    start: datetime = strawberry.field(
        description="Where the bucket begins (`from`, then one bucket length after another)."
    )
    succeeded: int = strawberry.field(description="Deliveries created in it that succeeded.")
    failed: int = strawberry.field(
        description="Deliveries created in it that failed for good (retries exhausted)."
    )
    pending: int = strawberry.field(
        description="Deliveries created in it still being attempted or retried."
    )
    p50_ms: float | None = strawberry.field(
        description=(
            "Median duration of the attempts started in it that got an answer, in "
            "milliseconds (percentile_cont(0.5)); null when there were none."
        )
    )
    p95_ms: float | None = strawberry.field(
        description="95th percentile of the same durations; null when there were none."
    )

    @classmethod
    def of(cls, bucket: Bucket) -> Self:
        return cls(
            start=bucket.start,
            succeeded=bucket.succeeded,
            failed=bucket.failed,
            pending=bucket.pending,
            p50_ms=bucket.p50_ms,
            p95_ms=bucket.p95_ms,
        )
