"""Recent real events as delivery bodies: what a connector shows its user to map fields from
(Zapier's performList, REST Hooks' GET /rest-hooks/recent), and the sample when there is none.

The bodies are rendered by the dispatcher's own code (bridge.render.body_of), so each is exactly
what a delivery of that event would carry: to the webhook named, or to a stand-in (the sample
webhook) when none is.
"""

import json
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from bridge import queue
from bridge.filters import passes
from bridge.render import body_of, encoded
from events.log import Event
from models.rows import webhook_row
from models.samples import sample_body, sample_webhook
from models.webhooks import Webhook
from resolvers import webhook_rules as rules
from resolvers.authz import member_project_ids
from schema.enums import WebhookEvent
from schema.errors import BadUserInput
from schema.paging import MAX_TAKE

# Events looked at per body asked for, when a webhook's record filters may skip some.
SCAN_FACTOR = 10


async def recent_bodies(
    info: Info, events: list[str], webhook_id: str | None, take: int
) -> list[Any]:
    """Up to `take` bodies of the newest events of these types the caller may read (within the
    webhook's scope when one is named), newest first; the first type's sample when none."""
    if not events:
        raise BadUserInput("Name at least one event", field="events")
    if not 0 < take <= MAX_TAKE:
        raise BadUserInput(f"take must be between 1 and {MAX_TAKE}", field="take")
    webhook = await rules.webhook(info, webhook_id, "read") if webhook_id is not None else None
    row = webhook_row(webhook if webhook is not None else sample_webhook())
    projects = await _projects(info, webhook)
    scan = take * SCAN_FACTOR if webhook is not None and webhook.filters else take
    ids = (
        await Event.filter(type__in=events, project_id__in=projects)
        .order_by("-id")
        .limit(scan)
        .values_list("id", flat=True)
        if projects
        else []
    )
    found = await queue.load_events(ids)
    webhook_json = encoded(row)
    bodies = []
    for event_id in ids:
        event = found[event_id]
        if webhook is not None and webhook.filters:
            parsed = event.parsed()
            if not passes(webhook.filters, parsed.previous_value, parsed.current_value):
                continue
        bodies.append(json.loads(body_of(webhook_json, event, None)))
        if len(bodies) == take:
            break
    return bodies or [sample_body(events[0], row)]


async def _projects(info: Info, webhook: Webhook | None) -> list[str]:
    """The projects whose events the caller may read, within the webhook's scope if any."""
    readable = await member_project_ids(info)
    if webhook is None:
        return readable
    if not webhook.project_ids:
        mine = await rules.readable_projects(webhook.company_id, [])
        return [p for p in readable if p in set(mine)]
    return [p for p in readable if p in set(webhook.project_ids)]


@strawberry.type
class RecentQuery:
    @strawberry.field(
        description=(
            "The newest real events of these types you may read, each exactly as a delivery "
            "body, newest first; a sample body when none has happened yet. With `webhookId`, "
            "only events that webhook would receive, with its row in the body."
        )
    )
    async def webhook_recent_payloads(
        self,
        info: Info,
        events: Annotated[
            list[WebhookEvent], strawberry.argument(description="The event types, at least one.")
        ],
        webhook_id: Annotated[
            str | None,
            strawberry.argument(description="A webhook of yours whose scope narrows the events."),
        ] = None,
        take: Annotated[
            int, strawberry.argument(description=f"How many bodies to return, 1 to {MAX_TAKE}.")
        ] = 10,
    ) -> list[JSON]:
        return await recent_bodies(info, [str(e) for e in events], webhook_id, take)
