"""The Event type streamed by the subscriptions."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry.scalars import JSON

from events.log import Event as EventRow
from schema.enums import WebhookEvent


@strawberry.type
class Event:
    id: str = strawberry.field(description="A cursor: strictly increasing in commit order")
    event: WebhookEvent
    created_at: datetime
    company_id: str
    project_id: str
    user_id: str | None = strawberry.field(description="The actor")
    previous_value: JSON | None
    current_value: JSON | None

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
