"""The body of a webhook delivery (API.md §6 and the additions of §8). Real deliveries and
samples both come from here; models.shapes.EventBody declares its shape."""

from typing import Any

from events.log import EventNames
from models.event_types import HEALTH_CHECK
from models.rows import Row


def event_body(
    *,
    event: str,
    webhook: Any,
    previous: Any,
    current: Any,
    company_id: str,
    project_id: str,
    user_id: str | None,
    names: EventNames,
    event_id: str,
    created_at: str | None,
) -> Row:
    """Blue's keys, then what no-code tools need beyond them: a stable `id` to deduplicate on,
    `occurredAt`, and names next to the ids of the company, project and actor."""
    return {
        "id": event_id,
        "event": event,
        "webhook": webhook,
        "previousValue": previous,
        "currentValue": current,
        "company": {"id": company_id, "name": names.company},
        "project": {"id": project_id, "name": names.project},
        "user": {"id": user_id, "name": names.user, "email": names.email},
        "eventId": event_id,
        "createdAt": created_at,
        "occurredAt": created_at,
    }


def health_check_body(webhook: Row) -> Row:
    return {"event": HEALTH_CHECK, "webhook": webhook}
