"""The event catalog: every event type with its group, description, schema and sample."""

import strawberry
from strawberry.types import Info

from models.event_types import DESCRIPTIONS, EventType, group_of
from models.payload_schema import event_schema
from models.samples import sample_body
from resolvers.authz import principal
from schema.catalog import WebhookEventType
from schema.enums import WebhookEvent


def event_types() -> list[WebhookEventType]:
    return [
        WebhookEventType(
            event=WebhookEvent(event),
            group=str(group_of(event)),
            description=DESCRIPTIONS[event],
            schema=event_schema(event),
            sample=sample_body(event),
        )
        for event in EventType
    ]


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        description=(
            "Every event type a webhook can receive, with its group, description, the JSON "
            "Schema of its deliveries and a sample (for connectors and field mapping)."
        )
    )
    def webhook_event_types(self, info: Info) -> list[WebhookEventType]:
        principal(info)
        return event_types()
