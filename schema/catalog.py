"""The event catalog's type (API.md §8): what each event is, and what its deliveries hold."""

import strawberry
from strawberry.scalars import JSON

from schema.enums import WebhookEvent


@strawberry.type(
    description=(
        "One event type a webhook can receive: what it means, its group, the JSON Schema of "
        "its deliveries' bodies and a sample body."
    )
)
class WebhookEventType:
    event: WebhookEvent = strawberry.field(description="The event type.")
    group: str = strawberry.field(
        description=(
            "What it is about: todo, checklist (checklists and their items), comment, list, "
            "tag or custom_field. Connectors offer one trigger per group."
        )
    )
    description: str = strawberry.field(description="What happened, for people.")
    schema: JSON = strawberry.field(
        description=(
            "The JSON Schema (draft 2020-12) of a delivery's body, generated from the code that "
            "builds the bodies. Objects may gain keys in later versions."
        )
    )
    sample: JSON = strawberry.field(
        description="A delivery body of this event with made-up values, as webhookSamplePayload."
    )
