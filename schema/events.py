"""The Event type streamed by the subscriptions."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry.scalars import JSON

from events.log import Event as EventRow
from schema.enums import WebhookEvent


@strawberry.type(
    description=(
        "One committed change, as streamed to subscribers and the bridge. "
        "Stored, so a subscriber can resume after its last `id`."
    )
)
class Event:
    id: str = strawberry.field(
        description=(
            "The event's cursor, strictly increasing in commit order: pass it as `after` to "
            "resume a stream."
        )
    )
    event: WebhookEvent = strawberry.field(description="What happened.")
    created_at: datetime = strawberry.field(description="When the change was committed.")
    company_id: str = strawberry.field(description="The company of the project.")
    project_id: str = strawberry.field(description="The project the change happened in.")
    user_id: str | None = strawberry.field(
        description="The user who made the change (the actor); null for system changes."
    )
    previous_value: JSON | None = strawberry.field(
        description=(
            "The entity before the change (row-shaped, as in webhook payloads); null on creates."
        )
    )
    current_value: JSON | None = strawberry.field(
        description="The entity after the change; null on deletes."
    )

    @classmethod
    def from_row(cls, row: EventRow) -> Self:
        return cls(
            id=str(row.id),
            event=WebhookEvent(row.type),
            created_at=row.created_at,
            company_id=row.company_id,
            project_id=row.project_id,
            user_id=row.user_id,
            previous_value=row.previous_value,
            current_value=row.current_value,
        )
